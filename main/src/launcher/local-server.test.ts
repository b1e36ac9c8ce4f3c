/** The launcher's local server: the real server CLI as a child process, reused when it proves to be ours. */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INSTANCE_TOKEN_FILE, instanceToken, probePort, startLocalServer, type LocalServer } from './local-server.js';

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

    // The instance secret: in the data directory, for this user alone, never on the command line.
    const tokenFile = path.join(dir, 'server', INSTANCE_TOKEN_FILE);
    const token = instanceToken(path.join(dir, 'server'));
    if (process.platform !== 'win32') expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, 'logs', 'server.log'), 'utf8')).not.toContain(token);

    const port = Number(new URL(first.url).port);
    expect(await probePort('127.0.0.1', port, token)).toBe('ours');
    // Another data directory's secret does not make it ours.
    expect(await probePort('127.0.0.1', port, 'ab'.repeat(32))).toBe('other');
    const second = await start(port);
    expect(second).toMatchObject({ reused: true, url: first.url });

    // Stopping is SIGTERM, answered by a clean exit.
    let crashed = false;
    first.onExit(() => (crashed = true));
    await first.stop();
    expect(crashed).toBe(false);
    expect(await probePort('127.0.0.1', port, token)).toBe('free');
  });

  it('does not reuse a server that looks like Parley but cannot prove it is this data directory\'s', async () => {
    // Healthy, Parley's metrics, and an instance route that answers anything: still not ours.
    const lookalike = http.createServer((req, res) => {
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      res.setHeader('Content-Type', pathname === '/metrics' ? 'text/plain' : 'application/json');
      if (pathname === '/healthz') res.end(JSON.stringify({ status: 'ok' }));
      else if (pathname === '/metrics') res.end('# TYPE parley_connections gauge\nparley_connections 0\n');
      else if (pathname === '/v1/instance') res.end(JSON.stringify({ proof: 'cd'.repeat(32) }));
      else res.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => lookalike.listen(0, '127.0.0.1', resolve));
    const port = (lookalike.address() as AddressInfo).port;
    try {
      expect(await probePort('127.0.0.1', port, instanceToken(path.join(dir, 'server')))).toBe('other');
      const server = await start(port);
      expect(server.reused).toBe(false);
      expect(server.note).toContain(`port ${port} is taken`);
      expect(Number(new URL(server.url).port)).not.toBe(port);
      await server.stop();
    } finally {
      await new Promise<void>((resolve) => lookalike.close(() => resolve()));
    }
  });

  it('does not reuse a program that passes the launcher\'s nonce on to our server and replays the answer', async () => {
    const ours = await start(0);
    const oursPort = Number(new URL(ours.url).port);
    // A relay: it forwards the launcher's nonce to our real server and replays the answer.
    const relay = http.createServer((req, res) => {
      void fetch(`${ours.url}${req.url ?? '/'}`).then(async (answer) => {
        res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const port = (relay.address() as AddressInfo).port;
    try {
      const token = instanceToken(path.join(dir, 'server'));
      expect(await probePort('127.0.0.1', oursPort, token)).toBe('ours');
      expect(await probePort('127.0.0.1', port, token)).toBe('other');
    } finally {
      await new Promise<void>((resolve) => relay.close(() => resolve()));
      await ours.stop();
    }
  });

  it('takes a free port when another program holds the one asked for', async () => {
    const other = http.createServer((_req, res) => res.end('hello'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as AddressInfo).port;
    try {
      expect(await probePort('127.0.0.1', port, instanceToken(path.join(dir, 'server')))).toBe('other');
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
