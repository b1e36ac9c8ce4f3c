/** The launcher's local server: the real server CLI as a child process, reused when already running. */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probePort, startLocalServer, type LocalServer } from './local-server.js';

const root = path.resolve(import.meta.dirname, '../../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-local-'));
const started: LocalServer[] = [];
afterAll(async () => {
  for (const s of started) await s.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const start = async (port: number) => {
  const server = await startLocalServer({ root, dataDir: path.join(dir, 'server'), port, logFile: path.join(dir, 'logs', 'server.log') });
  started.push(server);
  return server;
};

describe('the local server', () => {
  it('starts on a free port, keeps its data and logs in the given places, and is reused by a second launch', async () => {
    const first = await start(0);
    expect(first.reused).toBe(false);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    expect(fs.existsSync(path.join(dir, 'server', 'parley.db'))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'logs', 'server.log'), 'utf8')).toContain('server started');

    const port = Number(new URL(first.url).port);
    expect(await probePort('127.0.0.1', port)).toBe('parley');
    const second = await start(port);
    expect(second).toMatchObject({ reused: true, url: first.url });

    // Stopping is SIGTERM, answered by a clean exit.
    let crashed = false;
    first.onExit(() => (crashed = true));
    await first.stop();
    expect(crashed).toBe(false);
    expect(await probePort('127.0.0.1', port)).toBe('free');
  });

  it('takes a free port when another program holds the one asked for', async () => {
    const other = http.createServer((_req, res) => res.end('hello'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as AddressInfo).port;
    try {
      expect(await probePort('127.0.0.1', port)).toBe('other');
      const server = await start(port);
      expect(server.reused).toBe(false);
      expect(server.note).toContain(`port ${port} is taken`);
      expect(Number(new URL(server.url).port)).not.toBe(port);
      await server.stop();
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});
