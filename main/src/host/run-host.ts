/** Host mode with the real core: the desktop app's UI served to a browser on 127.0.0.1. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClientCore } from '../core/client-core.js';
import type { Logger } from '../ipc/logger.js';
import { startHostMode } from './host-mode.js';

export const DEFAULT_RENDERER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../out/renderer');

export interface RunHostOptions {
  /** The app's data directory (session, settings, per-account databases). */
  dataDir: string;
  /** Prefills the sign-in form (e.g. the local server started by `npm start`). */
  serverUrl?: string;
  staticDir?: string;
  port?: number;
  log?: Logger;
  /** Test hook: faster reconnects. */
  backoff?: { baseMs: number; capMs: number };
}

export interface RunningHost {
  core: ClientCore;
  /** The page to open: the host's origin, `?server=`, and the secret in the fragment. */
  url: string;
  port: number;
  secret: string;
  close(): Promise<void>;
}

export async function runHost(options: RunHostOptions): Promise<RunningHost> {
  const core = new ClientCore({ dataDir: options.dataDir, platform: `${process.platform}-host`, log: options.log, backoff: options.backoff });
  core.start();
  const host = await startHostMode({
    handlers: core.handlers,
    events: core.events,
    feed: core.feed,
    staticDir: options.staticDir ?? DEFAULT_RENDERER_DIR,
    port: options.port,
    log: options.log,
  });
  const url = new URL(host.url);
  if (options.serverUrl) url.searchParams.set('server', options.serverUrl);
  const secret = new URLSearchParams(url.hash.slice(1)).get('parley-secret') ?? '';
  return {
    core,
    url: url.toString(),
    port: host.port,
    secret,
    async close() {
      await host.close();
      await core.stop();
    },
  };
}
