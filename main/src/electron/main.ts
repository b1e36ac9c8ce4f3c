/**
 * The Electron app's entry: the core in the main process, the window and OS integration from
 * electron-host.ts. Bundled to out/main/main.cjs; runs only where the Electron binary exists.
 */
import path from 'node:path';
import { app, safeStorage } from 'electron';
import { pino } from 'pino';
import { ClientCore } from '../core/client-core.js';
import type { SecretBox } from '../core/session-file.js';
import { startElectronHost } from './electron-host.js';

/** The OS keychain seals the token at rest where it is available (not on a Linux without a secret service). */
const keychainBox: SecretBox = {
  seal: (plain) => (safeStorage.isEncryptionAvailable() ? `k1:${safeStorage.encryptString(plain).toString('base64')}` : `p0:${plain}`),
  open: (sealed) => (sealed.startsWith('k1:') ? safeStorage.decryptString(Buffer.from(sealed.slice(3), 'base64')) : sealed.replace(/^p0:/, '')),
};

async function main(): Promise<void> {
  const log = pino({ level: process.env.PARLEY_LOG_LEVEL ?? 'info', base: { svc: 'parley-desktop' } });
  const resources = app.isPackaged ? process.resourcesPath : path.resolve(__dirname, '../..');
  const core = new ClientCore({
    dataDir: app.getPath('userData'),
    appVersion: app.getVersion(),
    secretBox: keychainBox,
    // The Electron-ABI build of better-sqlite3 (see README, "Native modules"); unset: the default build.
    nativeBinding: process.env.PARLEY_SQLITE_BINDING,
    log,
  });
  const host = await startElectronHost({
    handlers: core.handlers,
    events: core.events,
    rendererDir: path.join(resources, app.isPackaged ? 'renderer' : 'out/renderer'),
    devServerUrl: process.env.PARLEY_RENDERER_URL,
    preloadPath: path.join(__dirname, '../preload/electron-preload.cjs'),
    trayIconPath: path.join(resources, app.isPackaged ? 'icons' : 'build/icons', 'tray.png'),
    shutdown: async () => {
      // Whatever is queued is already in SQLite; give what is in flight a moment to be acknowledged.
      await core.current?.outbox.idle(3000);
      await core.stop();
    },
    onWake: () => core.networkMayBeBack(),
    log,
  });
  if (!host) return; // another instance is running and was focused instead
  core.start();
}

void main();
