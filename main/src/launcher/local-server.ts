/**
 * The local Parley server `npm start` runs: the real server CLI (server/src/cli.ts under tsx) as a child
 * process, its data in the per-user directory, its JSON logs in a file there. A healthy Parley server
 * already on the port (a second `npm start`) is reused; a port taken by something else yields a free one.
 * Stopping sends SIGTERM, on which the server commits what is in flight before it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export type PortProbe = 'free' | 'parley' | 'other';

/** Is the port free, held by a Parley server (healthz ok and Parley's metrics), or by something else? */
export async function probePort(host: string, port: number, timeoutMs = 2000): Promise<PortProbe> {
  if (await canListen(host, port)) return 'free';
  const base = `http://${host}:${port}`;
  try {
    const health = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await health.json().catch(() => null)) as { status?: unknown } | null;
    if (!health.ok || body?.status !== 'ok') return 'other';
    const metrics = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    return (await metrics.text()).includes('parley_') ? 'parley' : 'other';
  } catch {
    return 'other';
  }
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

export interface LocalServerOptions {
  /** The repository root (server/src/cli.ts is run from there). */
  root: string;
  dataDir: string;
  port: number;
  host?: string;
  /** Where the server's JSON logs go (appended). */
  logFile: string;
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
}

export interface LocalServer {
  url: string;
  /** True when an already running Parley server is used (and so not stopped by us). */
  reused: boolean;
  /** Why the asked-for port was not used, if it was not. */
  note?: string;
  /** Called when the server exits by itself (a crash), not after `stop`. */
  onExit(listener: (code: number | null) => void): void;
  stop(): Promise<void>;
  /** Leave at once (a second Ctrl+C): SIGKILL. */
  kill(): void;
}

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const host = options.host ?? '127.0.0.1';
  let port = options.port;
  let note: string | undefined;
  if (port !== 0) {
    const probe = await probePort(host, port);
    if (probe === 'parley') {
      return { url: `http://${host}:${port}`, reused: true, onExit: () => undefined, stop: async () => undefined, kill: () => undefined };
    }
    if (probe === 'other') {
      note = `port ${port} is taken by another program`;
      port = 0;
    }
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  // Flags say where it listens and keeps data; the environment must not say otherwise.
  const env = { ...process.env };
  for (const key of ['PARLEY_PORT', 'PARLEY_HOST', 'PARLEY_DATA_DIR']) delete env[key];
  const logFd = fs.openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(options.root, 'server', 'src', 'cli.ts'), '--host', host, '--port', String(port), '--data', options.dataDir],
      {
        cwd: options.root,
        // Its own process group: Ctrl+C reaches the launcher, which stops the app first, then the server.
        detached: process.platform !== 'win32',
        windowsHide: true,
        stdio: ['ignore', 'pipe', logFd],
        env,
      },
    );
  } finally {
    fs.closeSync(logFd);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${(options.readyTimeoutMs ?? 30_000) / 1000} s (see ${options.logFile})`));
    }, options.readyTimeoutMs ?? 30_000);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      const match = /^listening on (\S+)$/m.exec(buffered);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with code ${code} before it was ready (see ${options.logFile})`));
    });
  });
  // Keep reading stdout so the pipe never fills.
  child.stdout!.resume();
  let stopping = false;
  const exitListeners: Array<(code: number | null) => void> = [];
  void exited.then((code) => {
    if (!stopping) for (const l of exitListeners) l(code);
  });
  const server: LocalServer = {
    url,
    reused: false,
    onExit: (listener) => exitListeners.push(listener),
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), options.stopTimeoutMs ?? 12_000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    },
    kill() {
      stopping = true;
      child.kill('SIGKILL');
    },
  };
  if (note) server.note = note;
  return server;
}
