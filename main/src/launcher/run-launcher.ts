/**
 * `npm start`: build what is stale, start the local server, then open the desktop app pointed at it — or,
 * where Electron cannot run, say why in one line and serve the same UI in host mode. Ctrl+C stops the app
 * first (its outbox is in SQLite; in-flight sends get a moment to be acknowledged), then the server (which
 * commits what is in flight on SIGTERM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../ipc/logger.js';
import { runHost } from '../host/run-host.js';
import { buildRenderer, bundleElectron, ELECTRON_TARGET, isStale, RENDERER_TARGET } from './build-steps.js';
import { chooseLaunchMode, findElectronBinary, probeElectron, type LaunchMode, type Probe } from './launch-mode.js';
import { startLocalServer, type LocalServer } from './local-server.js';
import { userDirs, type UserDirs } from './user-dirs.js';

export interface LauncherOptions {
  /** The repository root. */
  root: string;
  /** The local server's port (0: any free one). */
  port: number;
  /** Overrides the per-user data directory. */
  dataDir?: string;
  forceHost: boolean;
  /** Host mode's port (0: any free one). */
  uiPort: number;
  /** Rebuild even what is up to date. */
  rebuild: boolean;
  /** Tests: skip every build step (the outputs exist or are not needed). */
  skipBuild?: boolean;
  /** The built renderer host mode serves (default: out/renderer). */
  staticDir?: string;
  env?: NodeJS.ProcessEnv;
  probe?: Probe;
  /** One line of output for the user. */
  say: (line: string) => void;
  log?: Logger;
}

export interface Launched {
  mode: LaunchMode;
  dirs: UserDirs;
  server: LocalServer;
  /** Host mode: the page to open. */
  hostUrl?: string;
  /** Resolves when the app ends by itself (the Electron window quit, or the server died): the exit code. */
  ended: Promise<number>;
  /** Stops the app, then the server. */
  stop(): Promise<void>;
  /** Second Ctrl+C: end everything now. */
  kill(): void;
}

export const NATIVE_ELECTRON_BINDING = 'out/native/electron/better_sqlite3.node';

export async function launch(options: LauncherOptions): Promise<Launched> {
  const env = options.env ?? process.env;
  const { root, say } = options;
  const dirs = userDirs(process.platform, env, os.homedir(), options.dataDir);
  let mode = chooseLaunchMode({
    platform: process.platform,
    env,
    binary: findElectronBinary(path.join(root, 'node_modules', 'electron'), env),
    probe: options.probe ?? probeElectron,
    forceHost: options.forceHost,
  });

  const fallback = (reason: string) => say(`Electron can't run here: ${reason}; serving the app in host mode instead.`);
  if (mode.kind === 'host' && !options.forceHost && env.PARLEY_LAUNCH !== 'host') fallback(mode.reason);
  if (!options.skipBuild) {
    if (options.rebuild || isStale(root, RENDERER_TARGET)) {
      say('building the renderer…');
      await buildRenderer(root);
    }
    if (mode.kind === 'electron') {
      mode = await prepareElectron(root, mode, options);
      if (mode.kind === 'host') fallback(mode.reason);
    }
  }

  const server = await startLocalServer({ root, dataDir: dirs.server, port: options.port, logFile: path.join(dirs.logs, 'server.log') });
  say(
    server.reused
      ? `using the Parley server already running at ${server.url} (it proved it is this data directory's)`
      : `server: ${server.url} (data in ${dirs.server}${server.note ? `; ${server.note}` : ''})`,
  );

  let serverDied: (code: number) => void = () => undefined;
  const serverEnded = new Promise<number>((resolve) => (serverDied = resolve));
  server.onExit((code) => {
    say(`the server stopped unexpectedly (exit code ${code}); see ${path.join(dirs.logs, 'server.log')}`);
    serverDied(1);
  });

  if (mode.kind === 'electron') {
    const app = startElectron(root, mode.binary, server.url, dirs, env);
    say(`opening Parley (logs in ${dirs.logs})`);
    const appEnded = new Promise<number>((resolve) => app.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
    return {
      mode,
      dirs,
      server,
      ended: Promise.race([appEnded, serverEnded]),
      async stop() {
        await stopChild(app, 10_000);
        await server.stop();
      },
      kill() {
        app.kill('SIGKILL');
        server.kill();
      },
    };
  }

  const host = await runHost({ dataDir: dirs.userData, serverUrl: server.url, port: options.uiPort, log: options.log, staticDir: options.staticDir });
  say(`parley host ready: ${host.url}`);
  say('open that address in a browser; Ctrl+C stops Parley');
  return {
    mode,
    dirs,
    server,
    hostUrl: host.url,
    ended: serverEnded,
    async stop() {
      // Queued messages are already in SQLite; in-flight ones get a moment to be acknowledged.
      await Promise.all(host.core.accounts().map((a) => a.outbox.idle(3000)));
      await host.close();
      await server.stop();
    },
    kill() {
      server.kill();
    },
  };
}

/** Bundles main + preload and makes sure better-sqlite3 exists for Electron's ABI; host mode if that fails. */
async function prepareElectron(root: string, mode: LaunchMode & { kind: 'electron' }, options: LauncherOptions): Promise<LaunchMode> {
  if (options.rebuild || isStale(root, ELECTRON_TARGET)) {
    options.say('bundling the main process and preload…');
    await bundleElectron(root);
  }
  // A binding of the user's own choosing: theirs to keep current.
  if (options.env?.PARLEY_SQLITE_BINDING ?? process.env.PARLEY_SQLITE_BINDING) return mode;
  const binding = path.join(root, NATIVE_ELECTRON_BINDING);
  const sources = ['node_modules/electron/package.json', 'node_modules/better-sqlite3/package.json'].map((f) => path.join(root, f));
  const mtime = (file: string) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);
  if (options.rebuild || mtime(binding) < Math.max(...sources.map(mtime))) {
    options.say('building better-sqlite3 for Electron (once; needs the Electron headers from electronjs.org)…');
    try {
      await run(process.execPath, [path.join(root, 'scripts', 'build-electron-sqlite.mjs')], root);
    } catch (error) {
      return { kind: 'host', reason: `better-sqlite3 could not be built for Electron (${(error as Error).message})` };
    }
  }
  return mode;
}

function startElectron(root: string, binary: string, serverUrl: string, dirs: UserDirs, env: NodeJS.ProcessEnv): ChildProcess {
  fs.mkdirSync(dirs.logs, { recursive: true });
  const out = fs.openSync(path.join(dirs.logs, 'electron-output.log'), 'a');
  try {
    const childEnv: NodeJS.ProcessEnv = {
      ...env,
      PARLEY_DEFAULT_SERVER: serverUrl,
      PARLEY_USER_DATA: dirs.userData,
      PARLEY_SQLITE_BINDING: env.PARLEY_SQLITE_BINDING ?? path.join(root, NATIVE_ELECTRON_BINDING),
    };
    delete childEnv.ELECTRON_RUN_AS_NODE;
    return spawn(binary, [path.join(root, 'out', 'main')], { cwd: root, detached: process.platform !== 'win32', stdio: ['ignore', out, out], env: childEnv });
  } finally {
    fs.closeSync(out);
  }
}

async function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(output.trim().split('\n').filter(Boolean).at(-1) ?? `exit code ${code}`));
    });
  });
}
