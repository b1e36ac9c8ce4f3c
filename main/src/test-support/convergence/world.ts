/**
 * The real parts of a convergence run: a Parley server as a child process (so it can be SIGKILLed and started
 * again on the same data directory and port), and desktop clients, each a ClientCore with its own data
 * directory behind its own cuttable TCP proxy. Several clients may be devices of one user.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, REPO, ServerProcess, withTimeout } from '../../../../server/test/server-process.js';
import { ClientCore } from '../../core/client-core.js';
import { call } from '../cores.js';
import { tempDir, until } from '../server.js';
import { startProxy, type CuttableProxy } from './proxy.js';

export const PASSWORD = 'correct horse battery';
/** Long enough that an own message picked for a recall is still inside the window when the recall arrives. */
export const RECALL_WINDOW_MS = 10 * 60_000;

export interface ClientSpec {
  /** The device's name in traces, e.g. alice1. */
  name: string;
  userId: string;
  /** Signs in to an account another device registered (`auth.login`) instead of registering it. */
  login?: boolean;
}

export class Client {
  core: ClientCore | null = null;

  constructor(
    readonly spec: ClientSpec,
    readonly dataDir: string,
    readonly proxy: CuttableProxy,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get userId(): string {
    return this.spec.userId;
  }

  get running(): boolean {
    return this.core?.current != null;
  }

  get online(): boolean {
    return this.core?.current?.conn.online === true;
  }

  /** The app starts (again) on its data directory and resumes the saved session. */
  open(): ClientCore {
    if (this.core) throw new Error(`${this.name} is already running`);
    const core = new ClientCore({ dataDir: this.dataDir, platform: 'test', appVersion: 'test', backoff: { baseMs: 20, capMs: 300 } });
    core.start();
    this.core = core;
    return core;
  }

  /** The app quits (cleanly: the outbox and the database are closed). */
  async quit(): Promise<void> {
    const core = this.core;
    this.core = null;
    await core?.stop();
  }

  /**
   * The app crashes: it runs on its data directory in a process of its own (host mode, the same core) and is
   * SIGKILLed `afterMs` after it is up, while it reconnects, catches up and drains its outbox. Then it starts again
   * here. The client must have quit first.
   */
  async crash(afterMs: number): Promise<void> {
    if (this.core) throw new Error(`${this.name} is running here`);
    // No page is served: an empty static directory stands in for the built renderer.
    const staticDir = path.join(this.dataDir, 'no-renderer');
    fs.mkdirSync(staticDir, { recursive: true });
    const args = ['--import', 'tsx', 'main/src/host/cli.ts', '--data', this.dataDir, '--port', '0', '--static-dir', staticDir, '--log-level', 'error'];
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    let out = '';
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('parley host ready:')) resolve();
        });
        child.once('exit', (code, signal) => reject(new Error(`${this.name}'s host exited (${code ?? signal}) before it was ready`)));
      }),
      30_000,
      `${this.name}'s host start`,
    );
    await new Promise((r) => setTimeout(r, afterMs));
    child.kill('SIGKILL');
    await exited;
  }
}

export class World {
  readonly clients: Client[] = [];
  private readonly dirs: string[] = [];

  private constructor(
    readonly server: ServerProcess,
    readonly serverUrl: string,
  ) {}

  static async start(): Promise<World> {
    const dataDir = tempDir('converge-server');
    const port = await freePort();
    const server = new ServerProcess(port, dataDir, { PARLEY_SEND_RATE: '0', PARLEY_RECALL_WINDOW_MS: String(RECALL_WINDOW_MS) });
    await server.start();
    const world = new World(server, server.url);
    world.dirs.push(dataDir);
    return world;
  }

  get serverUp(): boolean {
    return this.server.child !== null;
  }

  /** Registers a user no client observes (invited to and kicked from groups). */
  async registerBystander(userId: string): Promise<void> {
    const res = await fetch(`${this.serverUrl}/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId, password: PASSWORD, name: userId.toUpperCase() }),
    });
    if (res.status !== 201) throw new Error(`register ${userId}: ${res.status} ${await res.text()}`);
  }

  /** A signed-in device, as the renderer signs in: `auth.register`, or `auth.login` for a second device. */
  async addClient(spec: ClientSpec): Promise<Client> {
    const proxy = await startProxy(() => this.server.port);
    const dir = tempDir(`converge-${spec.name}`);
    this.dirs.push(dir);
    const client = new Client(spec, dir, proxy);
    this.clients.push(client);
    const core = client.open();
    const serverUrl = proxy.url;
    if (spec.login) await call(core, 'auth.login', { serverUrl, userId: spec.userId, password: PASSWORD });
    else await call(core, 'auth.register', { serverUrl, userId: spec.userId, password: PASSWORD, name: spec.userId.toUpperCase() });
    await until(() => client.online, 15_000, `${spec.name} online`);
    return client;
  }

  async killServer(): Promise<void> {
    await this.server.kill();
  }

  async startServer(): Promise<void> {
    await this.server.start();
  }

  async close(): Promise<void> {
    for (const c of this.clients) {
      await c.quit().catch(() => undefined);
      await c.proxy.close();
    }
    await this.server.kill();
    for (const d of this.dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}
