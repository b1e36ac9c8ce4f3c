/** docs/protocol.md "HTTP" files: upload, download, who may read, path tricks and the size limit. */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, httpErrorCode, pconv, useServer, type TestUser } from './harness.js';
import { ServerProcess } from './server-process.js';

const FILE_ID = /^[A-Za-z0-9_-]{8,64}$/;

describe('files', () => {
  const srv = useServer();
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    alice = await srv.user('alice');
    bob = await srv.user('bob');
    carol = await srv.user('carol');
  });

  it('round-trips bytes and metadata', async () => {
    const bytes = randomBytes(5000);
    const res = await srv.http('PUT', '/v1/files', { body: bytes, token: alice.token, headers: { 'content-type': 'image/png', 'x-file-name': 'photo.png' } });
    expect(res.status).toBe(201);
    const meta = res.json as { fileId: string; size: number; mime: string };
    expect(meta.fileId).toMatch(FILE_ID);
    expect(meta.size).toBe(5000);
    expect(meta.mime).toBe('image/png');
    const got = await fetch(`${srv.url}/v1/files/${meta.fileId}`, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toMatch(/^image\/png/);
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('stores an empty file', async () => {
    const meta = await srv.upload(alice.token, new Uint8Array(0), 'text/plain', 'empty.txt');
    expect(meta.size).toBe(0);
    const got = await srv.http('GET', `/v1/files/${meta.fileId}`, { token: alice.token });
    expect(got.status).toBe(200);
    expect(got.text).toBe('');
  });

  it('requires a valid token to upload and to download', async () => {
    const noAuth = await srv.http('PUT', '/v1/files', { body: 'abc', headers: { 'content-type': 'text/plain', 'x-file-name': 'a.txt' } });
    expect(noAuth.status).toBe(401);
    expect(httpErrorCode(noAuth)).toBe('UNAUTHENTICATED');
    const badAuth = await srv.http('PUT', '/v1/files', { body: 'abc', token: 'forged-token', headers: { 'content-type': 'text/plain', 'x-file-name': 'a.txt' } });
    expect(badAuth.status).toBe(401);
    const meta = await srv.upload(alice.token, new TextEncoder().encode('hello'), 'text/plain', 'a.txt');
    const anon = await srv.http('GET', `/v1/files/${meta.fileId}`);
    expect(anon.status).toBe(401);
    expect(anon.text).not.toContain('hello');
  });

  it('lets only the uploader and members of a conversation where the file was sent read it', async () => {
    const secret = `secret-${randomUUID()}`;
    const meta = await srv.upload(alice.token, new TextEncoder().encode(secret), 'text/plain', 'notes.txt');
    for (const u of [bob, carol]) {
      const res = await srv.http('GET', `/v1/files/${meta.fileId}`, { token: u.token });
      expect([403, 404]).toContain(res.status);
      expect(res.text).not.toContain(secret);
    }
    const a = await srv.device(alice);
    await a.call('send', {
      convId: pconv(alice.userId, bob.userId),
      clientMsgId: randomUUID(),
      kind: 'file',
      body: { fileId: meta.fileId, name: 'notes.txt', size: meta.size, mime: 'text/plain' },
    });
    const forBob = await srv.http('GET', `/v1/files/${meta.fileId}`, { token: bob.token });
    expect(forBob.status).toBe(200);
    expect(forBob.text).toBe(secret);
    const forCarol = await srv.http('GET', `/v1/files/${meta.fileId}`, { token: carol.token });
    expect([403, 404]).toContain(forCarol.status);
    expect(forCarol.text).not.toContain(secret);
    expect(await (await srv.http('GET', `/v1/files/${meta.fileId}`, { token: alice.token })).text).toBe(secret);
  });

  it('answers an unknown file id with 404', async () => {
    const res = await srv.http('GET', '/v1/files/AAAAAAAAAAAAAAAAAAAAAAAA', { token: alice.token });
    expect(res.status).toBe(404);
    expect(httpErrorCode(res)).toBe('NOT_FOUND');
  });

  it('never serves a file for a malformed id or one pointing outside the store (400 or 404)', async () => {
    const sentinel = `SENTINEL-${randomUUID()}`;
    fs.writeFileSync(path.join(srv.dataDir, 'sentinel.txt'), sentinel);
    fs.writeFileSync(path.join(path.dirname(srv.dataDir), `parley-sentinel-${process.pid}.txt`), sentinel);
    const meta = await srv.upload(alice.token, new TextEncoder().encode('legit'), 'text/plain', 'legit.txt');
    const abs = path.join(srv.dataDir, 'sentinel.txt');
    const outside = `parley-sentinel-${process.pid}.txt`;
    const tricks = [
      '/v1/files/../sentinel.txt',
      '/v1/files/../../sentinel.txt',
      '/v1/files/..%2fsentinel.txt',
      '/v1/files/..%2f..%2f' + outside,
      '/v1/files/%2e%2e%2fsentinel.txt',
      '/v1/files/%2e%2e%2f%2e%2e%2f' + outside,
      '/v1/files/%252e%252e%252fsentinel.txt',
      '/v1/files/..%5csentinel.txt',
      '/v1/files/..\\sentinel.txt',
      '/v1/files/' + encodeURIComponent(abs),
      '/v1/files/' + abs,
      '/v1/files//etc/passwd',
      '/v1/files/%2Fetc%2Fpasswd',
      '/v1/files/sentinel.txt',
      '/v1/files/.',
      '/v1/files/..',
      '/v1/files/%2e%2e',
      '/v1/files/' + meta.fileId + '/..%2f..%2fsentinel.txt',
      '/v1/files/' + meta.fileId + '%00.txt',
      '/v1/files/' + meta.fileId + '/',
      '/v1/files/' + 'a'.repeat(3000),
      '/v1/files/' + 'A'.repeat(65),
    ];
    for (const p of tricks) {
      const res = await srv.rawHttp('GET', p, { authorization: `Bearer ${alice.token}` });
      expect([400, 404], `GET ${p.slice(0, 100)} → ${res.status}`).toContain(res.status);
      const body = res.body.toString('utf8');
      expect(body).not.toContain(sentinel);
      expect(body).not.toContain('root:');
      expect(body).not.toBe('legit');
    }
    fs.rmSync(path.join(path.dirname(srv.dataDir), outside), { force: true });
    expect((await srv.http('GET', '/healthz')).status).toBe(200);
  });
});

describe('file size limit', () => {
  const srv = useServer({ maxFileBytes: 1024 });

  it('refuses an upload over the limit with 413 TOO_LARGE and keeps serving', async () => {
    const u = await srv.user('big');
    const c = await srv.connect();
    const hello = await c.hello(u.token, 'd');
    expect(hello.ok && hello.body.limits.maxFileBytes).toBe(1024);
    const atLimit = await srv.upload(u.token, randomBytes(1024), 'application/octet-stream', 'ok.bin');
    expect(atLimit.size).toBe(1024);
    const res = await srv.http('PUT', '/v1/files', { body: randomBytes(2048), token: u.token, headers: { 'content-type': 'application/octet-stream', 'x-file-name': 'big.bin' } });
    expect(res.status).toBe(413);
    expect(httpErrorCode(res)).toBe('TOO_LARGE');
    // Without a Content-Length the server must stop reading at the limit too.
    const chunked = await srv.rawHttp(
      'PUT',
      '/v1/files',
      { authorization: `Bearer ${u.token}`, 'content-type': 'application/octet-stream', 'x-file-name': 'big.bin', 'transfer-encoding': 'chunked' },
      randomBytes(4096),
    );
    expect(chunked.status).toBe(413);
    expect((await srv.http('GET', '/healthz')).status).toBe(200);
    expect((await srv.http('GET', `/v1/files/${atLimit.fileId}`, { token: u.token })).status).toBe(200);
    expect((await c.call('blocks', {})).userIds).toEqual([]);
  });
});

describe('a download the client stops', () => {
  it('is not an error of the server: the client may read the headers only and go', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
    const p = new ServerProcess(0, dir, { PARLEY_LOG_LEVEL: 'debug' });
    await p.start();
    try {
      const reg = await fetch(`${p.url}/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: 'reader', password: PASSWORD, name: 'Reader' }),
      });
      const { token } = (await reg.json()) as { token: string };
      // Bigger than the socket buffers, so the server is still writing when the client goes.
      const put = await fetch(`${p.url}/v1/files`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'x-file-name': 'big.bin' },
        body: randomBytes(16 * 1024 * 1024),
      });
      const { fileId } = (await put.json()) as { fileId: string };
      const got = await fetch(`${p.url}/v1/files/${fileId}`, { headers: { authorization: `Bearer ${token}` } });
      expect(got.headers.get('content-length')).toBe(String(16 * 1024 * 1024));
      await got.body?.cancel();
      const lines = () => p.diagnostics.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; level?: number });
      const deadline = Date.now() + 20_000;
      while (!lines().some((l) => l.msg === 'download ended by the client') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(lines().some((l) => l.msg === 'download ended by the client')).toBe(true);
      expect(lines().filter((l) => (l.level ?? 0) >= 50)).toEqual([]);
      expect((await fetch(`${p.url}/healthz`)).status).toBe(200);
    } finally {
      await p.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
