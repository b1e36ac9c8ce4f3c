/** README "Where data lives": what the server creates in its data directory is for its own user only. */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useServer } from './harness.js';
import { sqliteOnly } from './test-database.js';

const mode = (f: string) => fs.statSync(f).mode & 0o777;

async function until<T>(probe: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe.skipIf(process.platform === 'win32' || sqliteOnly('the modes of parley.db, its WAL and lock'))('modes of the data directory (POSIX modes do not exist on win32)', () => {
  const srv = useServer();

  it('folders are 0700; the database, its WAL, the lock, uploads and uploads in progress are 0600', async () => {
    const alice = await srv.user('alice');
    const { fileId } = await srv.upload(alice.token, new Uint8Array(2000).fill(7));
    const dir = srv.dataDir;
    for (const d of [dir, path.join(dir, 'files'), path.join(dir, 'files', 'tmp'), path.join(dir, 'files', fileId.slice(0, 2))]) {
      expect([d, mode(d)]).toEqual([d, 0o700]);
    }
    const db = path.join(dir, 'parley.db');
    for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}.lock`, path.join(dir, 'files', fileId.slice(0, 2), fileId)]) {
      expect([f, mode(f)]).toEqual([f, 0o600]);
    }

    // An upload still arriving sits in files/tmp, 0600 too.
    const tmp = path.join(dir, 'files', 'tmp');
    const url = new URL('/v1/files', srv.url);
    const req = http.request(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/octet-stream', 'content-length': '100000' },
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(1000, 1));
    const partial = await until(() => fs.readdirSync(tmp)[0], 'the upload to appear in files/tmp');
    expect(mode(path.join(tmp, partial))).toBe(0o600);
    req.destroy();
    await until(() => (fs.readdirSync(tmp).length === 0 ? true : undefined), 'the interrupted upload to be removed');
  });
});
