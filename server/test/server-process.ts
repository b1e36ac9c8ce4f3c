/**
 * The server as a child process through its CLI, for tests that kill it: `node --import tsx server/src/cli.ts`, or
 * the built server (`node dist/server/cli.js`) when PARLEY_TEST_SERVER_CLI names it (`npm run test:built-server`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_DATABASE_URL, databaseUrlFor } from './test-database.js';
import { freePort } from '../../scripts/free-port.js';

export { freePort };

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  const pending: { timer?: NodeJS.Timeout } = {};
  return Promise.race([
    p.finally(() => clearTimeout(pending.timer)),
    new Promise<T>((_, reject) => {
      pending.timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}


/** The environment of the child: ours without PARLEY_* settings, plus `extra`. */
function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PARLEY_')) env[k] = v;
  // Cheap password hashing and no registration limits unless `extra` asks: tests register many users from one address.
  return { ...env, PARLEY_LOG_LEVEL: 'warn', PARLEY_PASSWORD_COST: '10', PARLEY_REGISTER_PER_IP_PER_HOUR: '0', PARLEY_REGISTER_PER_MINUTE: '0', PARLEY_HASH_QUEUE: '1000', ...extra };
}

/** The built CLI the server tests run against instead of the sources, if any (PARLEY_TEST_SERVER_CLI). */
export const BUILT_CLI = process.env.PARLEY_TEST_SERVER_CLI ? path.resolve(REPO, process.env.PARLEY_TEST_SERVER_CLI) : null;

/** node's arguments that start the server's CLI. */
function cliArgs(): string[] {
  return BUILT_CLI ? [BUILT_CLI] : ['--import', 'tsx', 'server/src/cli.ts'];
}

/** Runs one CLI command (such as `backup FILE --data DIR`) to its end: its exit code and output. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...cliArgs(), ...args], { cwd: REPO, env: serverEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await withTimeout(new Promise<number | null>((r) => child.once('close', (c) => r(c))), 60_000, `parley-server ${args[0] ?? ''}`);
  return { code, stdout, stderr };
}

export class ServerProcess {
  child: ChildProcess | null = null;
  url = '';
  starts = 0;
  /** Everything the current process printed to stdout. */
  stdout = '';
  private stderrTail = '';

  /** `port` 0 lets the server pick one; any other port is expected back in the ready line. */
  constructor(
    readonly port: number,
    readonly dataDir: string,
    readonly env: Record<string, string> = {},
  ) {}

  async start(): Promise<void> {
    // Against PostgreSQL (PARLEY_TEST_DATABASE_URL) the data directory's own schema: a restart finds its data again.
    const database: Record<string, string> = TEST_DATABASE_URL && this.env.PARLEY_DATABASE_URL === undefined ? { PARLEY_DATABASE_URL: await databaseUrlFor(this.dataDir) } : {};
    const child = spawn(process.execPath, [...cliArgs(), '--port', String(this.port), '--data', this.dataDir], {
      cwd: REPO,
      env: serverEnv({ ...this.env, ...database }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    this.stdout = '';
    child.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-4000);
    });
    this.url = await withTimeout(
      new Promise<string>((resolve, reject) => {
        child.stdout?.on('data', (d: Buffer) => {
          if (this.stdout.length < 100_000) this.stdout += d.toString();
          const m = /^listening on (http:\/\/\S+)\s*$/m.exec(this.stdout);
          if (m?.[1]) resolve(m[1]);
        });
        child.once('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}) before listening: ${this.stderrTail}`)));
      }),
      30_000,
      'server start',
    );
    if (this.port !== 0 && this.url !== `http://127.0.0.1:${this.port}`) throw new Error(`server announced ${this.url}, expected port ${this.port}`);
  }

  /** kill -9, and wait until the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM; resolves with how the process ended (rejects if it is still running after `ms`). */
  async terminate(ms = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = this.child;
    if (!child) throw new Error('not running');
    if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
    child.kill('SIGTERM');
    const result = await withTimeout(exited, ms, 'exit after SIGTERM');
    this.child = null;
    return result;
  }

  get diagnostics(): string {
    return this.stderrTail;
  }
}
