/**
 * The real parts an e2e test drives: a Parley server, a TCP proxy that can cut one client off the server, and
 * host processes (the desktop app's core in plain Node, serving the built renderer). All on 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `parley-e2e-${prefix}-`));
}

/** Spawns `node --import tsx <script>` and resolves with the first stdout line matching `ready`. */
function spawnReady(script: string, args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${script} not ready in 30 s:\n${stderr}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    });
    // 'close', not 'exit': it comes after stderr is drained, so the reason is in the message.
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready:\n${stderr}`));
    });
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** The admin API key the e2e servers run with (see admin() in fixtures.ts). */
export const E2E_ADMIN = { appKey: 'e2e-app', appSecret: 'e2e-secret-0123456789abcdef' } as const;

export interface ServerProcess {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startServer(dataDir = tempDir('server'), env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const { child, match } = await spawnReady('server/src/cli.ts', ['--port', '0', '--data', dataDir, '--log-level', 'warn'], /listening on (http:\/\/[^\s]+)/, {
    PARLEY_SEND_RATE: '50',
    PARLEY_SEND_BURST: '100',
    // Cheap password hashing (the server warns: tests only) and no limit on registrations from one address.
    PARLEY_PASSWORD_COST: '10',
    PARLEY_REGISTER_PER_IP_PER_HOUR: '0',
    PARLEY_HASH_QUEUE: '1000',
    PARLEY_APP_KEY: E2E_ADMIN.appKey,
    PARLEY_APP_SECRET: E2E_ADMIN.appSecret,
    ...env,
  });
  const url = match[1]!;
  return {
    url,
    port: Number(new URL(url).port),
    stop: async () => {
      await stop(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A TCP proxy in front of the server: `cut()` drops every connection and refuses new ones until `restore()`. */
export interface Proxy {
  url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startProxy(target: { port: number }): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(target.port, '127.0.0.1');
        for (const sock of [client, upstream]) {
          sockets.add(sock);
          sock.on('close', () => sockets.delete(sock));
          sock.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const unlisten = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      for (const sock of sockets) sock.destroy();
      if (!s) resolve();
      else s.close(() => resolve());
    });
  await listen();
  return { url: `http://127.0.0.1:${port}`, cut: unlisten, restore: listen, close: unlisten };
}

export interface HostProcess {
  /** The page URL (with the per-launch secret). */
  url: string;
  dataDir: string;
  /** Kills the host (SIGKILL by default: a crash). */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startHost(dataDir: string, serverUrl: string): Promise<HostProcess> {
  const { child, match } = await spawnReady('main/src/host/cli.ts', ['--data', dataDir, '--server', serverUrl, '--port', '0', '--log-level', 'warn'], /parley host ready: (\S+)/);
  return { url: match[1]!, dataDir, kill: (signal = 'SIGKILL') => stop(child, signal) };
}
