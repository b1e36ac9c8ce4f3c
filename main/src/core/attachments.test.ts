/** Attachments from others, against a real server: the server's record decides, previews are bounded, the cache too. */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PREVIEW_MAX_BYTES } from '../../../protocol/index.js';
import { CoreFixture, call, nextEvent, signUp } from '../test-support/cores.js';
import { startTestServer, tempDir, until, type TestServer } from '../test-support/server.js';
import type { ClientCore } from './client-core.js';
import { FileCache } from './file-cache.js';
import { downloadFile, uploadFile } from './http-client.js';
import { ServerConnection } from './server-connection.js';

let server: TestServer;
const fixture = new CoreFixture();
const connections: ServerConnection[] = [];
const conv = 'p:bob|mallory';

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  for (const c of connections.splice(0)) c.stop();
  await fixture.cleanup();
  await server.destroy();
});

/** A sender whose client writes what it likes in a message body: raw HTTP upload, raw protocol send. */
async function liar(userId: string) {
  const token = await server.register(userId);
  const conn = new ServerConnection({ serverUrl: server.url, token, device: { id: `${userId}-dev`, platform: 'test', app: 'test' } });
  connections.push(conn);
  conn.start();
  await until(() => conn.online, 5000, `${userId} online`);
  const dir = tempDir('upload');
  return {
    async upload(mime: string, data: Uint8Array): Promise<string> {
      const file = path.join(dir, 'f');
      fs.writeFileSync(file, data);
      return (await uploadFile({ serverUrl: server.url, token, path: file, name: 'f', mime })).fileId;
    },
    async send(kind: string, body: Record<string, unknown>): Promise<void> {
      await conn.request('send', { convId: conv, clientMsgId: crypto.randomUUID(), kind, body });
    },
    /** Uploads and sends as a file message (the server lets the conversation's members read it). */
    async share(mime: string, data: Uint8Array): Promise<string> {
      const fileId = await this.upload(mime, data);
      await this.send('file', { fileId, name: 'f', size: data.byteLength, mime });
      return fileId;
    },
  };
}

async function bobWith(more: { fileCacheMaxBytes?: number } = {}): Promise<ClientCore> {
  const bob = fixture.newCore(undefined, undefined, more);
  await signUp(bob, server, 'bob');
  return bob;
}

function cacheDirOf(dataDir: string): string {
  const accounts = path.join(dataDir, 'accounts');
  return path.join(accounts, fs.readdirSync(accounts)[0]!, 'file-cache');
}

const bytes = (n: number, seed = 1) => new Uint8Array(n).map((_, i) => (i * seed) % 251);

describe('attachments from others', () => {
  it('go by the server record of type and size, not by what the message body claims', async () => {
    const bob = await bobWith();
    const mallory = await liar('mallory');
    const exe = bytes(200_000);
    const fileId = await mallory.upload('application/x-msdownload', exe);
    const arrived = nextEvent(bob, 'message:added', ({ message }) => message.kind === 'image');
    await mallory.send('image', { fileId, name: 'cat.png', size: 10_240, mime: 'image/png', width: 10, height: 10 });
    expect((await arrived).message.body).toMatchObject({ mime: 'image/png', size: 10_240 });

    // Asked for a preview, bob's client loads nothing: the server says this is not an image.
    expect(await call(bob, 'files.read', { convId: conv, fileId, want: 'preview' })).toEqual({ mime: 'application/x-msdownload', size: exe.byteLength, data: null });
    expect(await call(bob, 'files.read', { convId: conv, fileId, want: 'info' })).toEqual({ mime: 'application/x-msdownload', size: exe.byteLength, data: null });
    // Saving it gets the server's bytes, of the server's size and type.
    const file = await call(bob, 'files.read', { convId: conv, fileId });
    expect(file).toMatchObject({ mime: 'application/x-msdownload', size: exe.byteLength });
    expect(Buffer.from(file.data!).equals(Buffer.from(exe))).toBe(true);
    // Cached now, and still never a preview.
    expect(await call(bob, 'files.read', { convId: conv, fileId, want: 'preview' })).toEqual({ mime: 'application/x-msdownload', size: exe.byteLength, data: null });

    // An SVG (it can carry script) is not shown inline either, whatever the body says.
    const svg = await mallory.share('image/svg+xml', new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'));
    expect(await call(bob, 'files.read', { convId: conv, fileId: svg, want: 'preview' })).toMatchObject({ mime: 'image/svg+xml', data: null });

    // What the server said is remembered: the file cards of a conversation do not ask it again each time.
    await server.close();
    expect(await call(bob, 'files.read', { convId: conv, fileId: svg, want: 'info' })).toMatchObject({ mime: 'image/svg+xml', data: null });
  });

  it('loads a preview by itself only under the size cap, by the server size; larger ones when asked', async () => {
    const bob = await bobWith();
    const mallory = await liar('mallory');
    const small = bytes(50_000);
    const smallId = await mallory.share('image/png', small);
    const previewed = await call(bob, 'files.read', { convId: conv, fileId: smallId, want: 'preview' });
    expect(previewed).toMatchObject({ mime: 'image/png', size: small.byteLength });
    expect(previewed.data?.byteLength).toBe(small.byteLength);

    const big = bytes(PREVIEW_MAX_BYTES + 1, 7);
    const bigId = await mallory.upload('image/png', big);
    await mallory.send('image', { fileId: bigId, name: 'big.png', size: 1000, mime: 'image/png', width: 10, height: 10 });
    expect(await call(bob, 'files.read', { convId: conv, fileId: bigId, want: 'preview' })).toEqual({ mime: 'image/png', size: big.byteLength, data: null });
    expect(bob.current!.files.has(bigId)).toBe(false);
    // The user clicks to load it.
    const loaded = await call(bob, 'files.read', { convId: conv, fileId: bigId });
    expect(loaded.data?.byteLength).toBe(big.byteLength);
    expect(bob.current!.files.has(bigId)).toBe(true);
  });

  it('keeps the file cache under its bound, dropping the least recently used files', async () => {
    const dataDir = tempDir('bob');
    const bob = fixture.newCore(dataDir, undefined, { fileCacheMaxBytes: 250_000 });
    await signUp(bob, server, 'bob');
    const mallory = await liar('mallory');
    const [a, b, c] = [bytes(100_000, 1), bytes(100_000, 3), bytes(100_000, 5)];
    const ids = [await mallory.share('application/pdf', a), await mallory.share('application/pdf', b), await mallory.share('application/pdf', c)];
    const [idA, idB, idC] = ids as [string, string, string];
    await call(bob, 'files.read', { convId: conv, fileId: idA });
    await call(bob, 'files.read', { convId: conv, fileId: idB });
    await call(bob, 'files.read', { convId: conv, fileId: idA }); // a is used again: b is now the oldest
    await call(bob, 'files.read', { convId: conv, fileId: idC });

    const dir = cacheDirOf(dataDir);
    const onDisk = fs.readdirSync(dir).sort();
    expect(onDisk).toEqual([idA, `${idA}.mime`, idC, `${idC}.mime`].sort());
    if (process.platform !== 'win32') {
      for (const name of onDisk) expect(fs.statSync(path.join(dir, name)).mode & 0o777, name).toBe(0o600);
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    }
    const files = bob.current!.files;
    expect([idA, idB, idC].map((id) => files.has(id))).toEqual([true, false, true]);
    expect(files.size).toBeLessThanOrEqual(250_000);
    // A dropped file comes back when asked for again.
    const again = await call(bob, 'files.read', { convId: conv, fileId: idB });
    expect(Buffer.from(again.data!).equals(Buffer.from(b))).toBe(true);
    expect(files.has(idB)).toBe(true);
  });
});

describe('downloadFile', () => {
  it('loads nothing from a server that does not say how large the file is', async () => {
    // A stand-in for a server other than ours: an answer streamed without Content-Length.
    const other = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'image/png' });
      res.write(Buffer.alloc(1024));
      res.end();
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const serverUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      await expect(downloadFile({ serverUrl, token: 't', fileId: 'AbCdEfGh1234', maxBytes: 10, wanted: () => true })).rejects.toMatchObject({ code: 'INTERNAL' });
    } finally {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

describe('FileCache', () => {
  it('after a restart, drops the files used longest ago first, and what half an earlier write left', () => {
    const dir = tempDir('cache');
    const write = (id: string, size: number, usedAt: number) => {
      fs.writeFileSync(path.join(dir, id), new Uint8Array(size));
      fs.writeFileSync(path.join(dir, `${id}.mime`), 'image/png');
      fs.utimesSync(path.join(dir, id), usedAt, usedAt);
    };
    write('old', 100, 1_000);
    write('recent', 100, 3_000);
    write('middle', 100, 2_000);
    fs.writeFileSync(path.join(dir, 'no-type'), new Uint8Array(10));
    fs.writeFileSync(path.join(dir, 'no-bytes.mime'), 'image/png');

    const cache = new FileCache(dir, 250);
    expect(['old', 'middle', 'recent'].map((id) => cache.has(id))).toEqual([false, true, true]);
    expect(cache.size).toBe(200);
    expect(fs.readdirSync(dir).sort()).toEqual(['middle', 'middle.mime', 'recent', 'recent.mime']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
