/**
 * The local Parley server `npm start` runs: the real server CLI (server/src/cli.ts under tsx) as a child
 * process, its data in the per-user directory, its JSON logs in a file there. A server already on the port is
 * reused only when it proves to be the one an earlier `npm start` ran on this data directory (a second
 * `npm start`): it answers a fresh nonce with the HMAC of the secret kept in the data directory (the
 * instance proof, docs/protocol.md part 2). Anything else on the port, whatever it answers, yields a free one.
 * Stopping sends SIGTERM, on which the server commits what is in flight before it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export type PortProbe = 'free' | 'ours' | 'other';

/** The file in the server's data directory holding the secret of the instance proof (0600). */
export const INSTANCE_TOKEN_FILE = 'launcher-token';

/** The data directory's instance secret, created (0600) the first time. */
export function instanceToken(dataDir: string): string {
  const file = path.join(dataDir, INSTANCE_TOKEN_FILE);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const token = fs.readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(token)) throw new Error(`${file} is not an instance token; delete it and start again`);
  return token;
}

/** Is the port free, held by the server that knows `token` (it answers the instance proof), or by something else? */
export async function probePort(host: string, port: number, token: string, timeoutMs = 2000): Promise<PortProbe> {
  if (await canListen(host, port)) return 'free';
  const nonce = randomBytes(16).toString('hex');
  const expected = createHmac('sha256', token).update(`${nonce}:${port}`).digest();
  try {
    const url = new URL(`http://${host.includes(':') ? `[${host}]` : host}:${port}/v1/instance`);
    url.searchParams.set('nonce', nonce);
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    const body = (await res.json().catch(() => null)) as { proof?: unknown } | null;
    if (!res.ok || typeof body?.proof !== 'string' || !/^[0-9a-f]{64}$/.test(body.proof)) return 'other';
    return timingSafeEqual(Buffer.from(body.proof, 'hex'), expected) ? 'ours' : 'other';
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
  const token = instanceToken(options.dataDir);
  if (port !== 0) {
    const probe = await probePort(host, port, token);
    if (probe === 'ours') {
      return { url: `http://${host}:${port}`, reused: true, onExit: () => undefined, stop: async () => undefined, kill: () => undefined };
    }
    if (probe === 'other') {
      note = `port ${port} is taken by another program (or a server that is not this data directory's)`;
      port = 0;
    }
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  // Flags say where it listens and keeps data; the environment must not say otherwise. The instance secret
  // goes by the environment, never on the command line, where any user's `ps` would show it.
  const env: NodeJS.ProcessEnv = { ...process.env, PARLEY_INSTANCE_TOKEN: token };
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
