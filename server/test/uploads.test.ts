/**
 * docs/protocol.md part 2 "Uploads: quota, rate, collection and body deadlines": what a user may upload, which files
 * are deleted and when, and how long a request may take to send its body.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpErrorCode, pconv, useServer, WAIT_MS, type TestServer, type TestUser, type WsClient } from './harness.js';

/** Re-checks `probe` until it holds (a condition, not a fixed sleep); fails after WAIT_MS. */
async function eventually(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function status(srv: TestServer, fileId: string, user: TestUser): Promise<number> {
  return (await srv.http('GET', `/v1/files/${fileId}`, { token: user.token })).status;
}

function sendFile(c: WsClient, convId: string, file: { fileId: string; size: number }) {
  return c.call('send', { convId, clientMsgId: randomUUID(), kind: 'file', body: { fileId: file.fileId, name: 'f.bin', size: file.size, mime: 'application/octet-stream' } });
}

function blobExists(srv: TestServer, fileId: string): boolean {
  return fs.existsSync(path.join(srv.dataDir, 'files', fileId.slice(0, 2), fileId));
}

async function metric(srv: TestServer, line: RegExp): Promise<number> {
  const text = (await srv.http('GET', '/metrics')).text;
  const m = line.exec(text);
  return m ? Number(m[1]) : 0;
}

/**
 * Speaks HTTP/1.1 on a raw socket: sends `head`, then `chunks` one every `everyMs` until the server answers or
 * closes. Resolves with what the server sent and whether it closed the connection.
 */
function trickle(srv: TestServer, head: string, chunks: string[], everyMs: number): Promise<{ status: number; text: string; closed: boolean }> {
  const { hostname, port } = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const fail = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer; got ${JSON.stringify(received.slice(0, 200))}`));
    }, WAIT_MS);
    const done = (closed: boolean) => {
      clearTimeout(fail);
      clearInterval(timer);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
      resolve({ status, text: received, closed });
    };
    socket.setEncoding('utf8');
    socket.on('error', () => undefined); // a reset after the answer is what closing looks like to a writer
    socket.on('data', (d: string) => {
      received += d;
      clearInterval(timer);
    });
    socket.on('close', () => done(true));
    socket.on('end', () => socket.end());
    socket.on('connect', () => {
      socket.write(head);
      let i = 0;
      timer = setInterval(() => {
        if (i < chunks.length && !socket.destroyed) socket.write(chunks[i++]!);
        else clearInterval(timer);
      }, everyMs);
    });
  });
}

describe('upload quota', () => {
  const srv = useServer({ fileQuotaBytes: 3000 });

  it('refuses an upload past the user’s stored bytes with 413 TOO_LARGE (declared or while streaming); others are unaffected', async () => {
    const u = await srv.user('quota');
    const other = await srv.user('quota');
    const first = await srv.upload(u.token, randomBytes(2000));
    const declared = await srv.http('PUT', '/v1/files', { body: randomBytes(1500), token: u.token, headers: { 'content-type': 'application/octet-stream' } });
    expect(declared.status).toBe(413);
    expect(httpErrorCode(declared)).toBe('TOO_LARGE');
    expect(declared.json).toMatchObject({ error: { quotaBytes: 3000, usedBytes: 2000 } });
    const streamed = await srv.rawHttp(
      'PUT',
      '/v1/files',
      { authorization: `Bearer ${u.token}`, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
      randomBytes(1500),
    );
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body.toString('utf8'))).toMatchObject({ error: { code: 'TOO_LARGE', quotaBytes: 3000 } });
    expect((await srv.upload(u.token, randomBytes(1000))).size).toBe(1000); // exactly at the quota
    expect((await srv.upload(other.token, randomBytes(2500))).size).toBe(2500);
    expect(await status(srv, first.fileId, u)).toBe(200);
    expect(await metric(srv, /^parley_uploads_refused_total\{reason="quota"\} (\d+)/m)).toBe(2);
  });
});

describe('upload rate', () => {
  const srv = useServer({ uploadsPerMinute: 2, uploadBytesPerHour: 10_000 });

  it('refuses uploads past the per-minute count with 429 RATE_LIMITED and retryAfterMs; another user still uploads', async () => {
    const u = await srv.user('rate');
    const other = await srv.user('rate');
    await srv.upload(u.token, randomBytes(10));
    await srv.upload(u.token, randomBytes(10));
    const third = await srv.http('PUT', '/v1/files', { body: randomBytes(10), token: u.token });
    expect(third.status).toBe(429);
    expect(httpErrorCode(third)).toBe('RATE_LIMITED');
    expect((third.json as { error: { retryAfterMs: number } }).error.retryAfterMs).toBeGreaterThan(0);
    expect((await srv.upload(other.token, randomBytes(10))).size).toBe(10);
  });

  it('refuses uploads past the bytes per hour with 429 RATE_LIMITED', async () => {
    const u = await srv.user('bytes');
    await srv.upload(u.token, randomBytes(8000));
    const next = await srv.http('PUT', '/v1/files', { body: randomBytes(4000), token: u.token });
    expect(next.status).toBe(429);
    expect(next.json).toMatchObject({ error: { code: 'RATE_LIMITED', limit: 'bytes' } });
    expect((next.json as { error: { retryAfterMs: number } }).error.retryAfterMs).toBeGreaterThan(0);
  });
});

describe('file collection', () => {
  const srv = useServer({ fileGraceMs: 1500, fileSweepIntervalMs: 50 });

  it('deletes a file no entry names once the grace period has passed; a sent one stays', async () => {
    const alice = await srv.user('alice');
    const bob = await srv.user('bob');
    const a = await srv.device(alice);
    const kept = await srv.upload(alice.token, randomBytes(300));
    await sendFile(a, pconv(alice.userId, bob.userId), kept);
    const orphan = await srv.upload(alice.token, randomBytes(200));
    expect(await status(srv, orphan.fileId, alice)).toBe(200);
    await eventually(async () => (await status(srv, orphan.fileId, alice)) === 404, 'the unsent file to be collected');
    await eventually(async () => !blobExists(srv, orphan.fileId), 'its blob to be deleted');
    expect(await status(srv, kept.fileId, alice)).toBe(200);
    expect(await status(srv, kept.fileId, bob)).toBe(200);
    expect(blobExists(srv, kept.fileId)).toBe(true);
    expect(await metric(srv, /^parley_files_collected_total\{reason="unreferenced"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
  });

  it('deletes the file of a recalled message, but not one another message still names', async () => {
    const alice = await srv.user('alice');
    const bob = await srv.user('bob');
    const carol = await srv.user('carol');
    const a = await srv.device(alice);
    const withBob = pconv(alice.userId, bob.userId);
    const forwarded = await srv.upload(alice.token, randomBytes(100));
    const only = await srv.upload(alice.token, randomBytes(100));
    const m1 = await sendFile(a, withBob, forwarded);
    const m2 = await sendFile(a, withBob, only);
    await sendFile(a, pconv(alice.userId, carol.userId), forwarded);
    await a.call('recall', { convId: withBob, seq: m1.seq });
    await a.call('recall', { convId: withBob, seq: m2.seq });
    // The recalled messages no longer give bob access; carol's message still names the forwarded file.
    expect(await status(srv, forwarded.fileId, bob)).toBe(404);
    await eventually(async () => (await status(srv, only.fileId, alice)) === 404, 'the recalled file to be collected');
    await eventually(async () => !blobExists(srv, only.fileId), 'its blob to be deleted');
    expect(await status(srv, forwarded.fileId, carol)).toBe(200);
    expect(await status(srv, forwarded.fileId, alice)).toBe(200);
  });

  it('deletes the files of a user whose account is gone, even where a message names them', async () => {
    const dave = await srv.user('dave');
    const erin = await srv.user('erin');
    const d = await srv.device(dave);
    const sent = await srv.upload(dave.token, randomBytes(100));
    await sendFile(d, pconv(dave.userId, erin.userId), sent);
    const erinsOwn = await srv.upload(erin.token, randomBytes(100));
    await sendFile(await srv.device(erin), pconv(dave.userId, erin.userId), erinsOwn);
    expect(await status(srv, sent.fileId, erin)).toBe(200);
    srv.closeClients();
    // No route deletes accounts yet; an operator (or a later version) removing the row is what "gone" means here.
    await srv.sql('DELETE FROM tokens WHERE user_id = ?', [dave.userId]);
    await srv.sql('DELETE FROM users WHERE user_id = ?', [dave.userId]);
    await eventually(async () => (await status(srv, sent.fileId, erin)) === 404, 'the deleted user’s file to be collected');
    await eventually(async () => !blobExists(srv, sent.fileId), 'its blob to be deleted');
    expect(await status(srv, erinsOwn.fileId, erin)).toBe(200);
    expect(await metric(srv, /^parley_files_collected_total\{reason="uploader-gone"\} (\d+)/m)).toBe(1);
  });
});

describe('request body deadlines', () => {
  const srv = useServer({ requestBodyTimeoutMs: 300, uploadIdleTimeoutMs: 1000 });

  it('answers a login whose body trickles past the deadline with 408 and closes the connection', async () => {
    const head = `POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n`;
    const res = await trickle(srv, head, Array.from({ length: 500 }, () => ' '), 50);
    expect(res.status).toBe(408);
    expect(res.text).toContain('"code":"BAD_REQUEST"');
    expect(res.closed).toBe(true);
    expect((await srv.http('GET', '/healthz')).status).toBe(200);
  });

  it('ends an upload that stops sending with 408, and keeps serving', async () => {
    const u = await srv.user('stall');
    const head = `PUT /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${u.token}\r\nContent-Length: 1000\r\n\r\n`;
    const res = await trickle(srv, head, ['0123456789'], 10);
    expect(res.status).toBe(408);
    expect(res.closed).toBe(true);
    expect((await srv.upload(u.token, randomBytes(10))).size).toBe(10);
  });

  it('does not cut a download read more slowly than the body deadline', async () => {
    const u = await srv.user('reader');
    const bytes = randomBytes(8 * 1024 * 1024); // more than the socket buffers hold, so the answer outlasts the deadline
    const { fileId } = await srv.upload(u.token, bytes);
    const { hostname, port } = new URL(srv.url);
    const received = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: hostname, port, path: `/v1/files/${fileId}`, headers: { authorization: `Bearer ${u.token}` } }, (res) => {
          let n = 0;
          res.pause();
          // A reader slower than the deadline: it starts reading only after three deadlines have passed.
          setTimeout(() => {
            res.on('data', (c: Buffer) => (n += c.length));
            res.on('end', () => resolve(n));
            res.resume();
          }, 900);
          res.on('error', reject);
        })
        .on('error', reject);
    });
    expect(received).toBe(bytes.length);
  });

  it('lets a slow upload that keeps sending finish, past the deadline of other requests', async () => {
    const u = await srv.user('slow');
    const chunks = Array.from({ length: 30 }, (_, i) => String(i % 10));
    const head = `PUT /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${u.token}\r\nContent-Length: ${chunks.length}\r\nConnection: close\r\n\r\n`;
    const res = await trickle(srv, head, chunks, 50);
    expect(res.status).toBe(201);
    const { fileId } = JSON.parse(res.text.slice(res.text.indexOf('\r\n\r\n') + 4)) as { fileId: string };
    expect((await srv.http('GET', `/v1/files/${fileId}`, { token: u.token })).text).toBe(chunks.join(''));
  });
});
