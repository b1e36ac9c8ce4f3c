/**
 * The Electron app's entry: the core in the main process, the window and OS integration from
 * electron-host.ts, the updater. Bundled to out/main/main.cjs; runs only where the Electron binary exists.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { app, safeStorage } from 'electron';
import { pino } from 'pino';
import { ClientCore } from '../core/client-core.js';
import type { SecretBox } from '../core/session-file.js';
import { desktopServices } from '../launcher/desktop-services.js';
import { resolveFeedConfig } from '../updater/update-config.js';
import { UpdateService } from '../updater/update-service.js';
import { electronUpdateEngine } from './auto-update.js';
import { setLinuxAutostart } from './autostart-linux.js';
import { startElectronHost, type ElectronHost } from './electron-host.js';
import { prepareLogFile } from './log-file.js';

/** The OS keychain seals the token at rest where it is available (not on a Linux without a secret service). */
const keychainBox: SecretBox = {
  seal: (plain) => (safeStorage.isEncryptionAvailable() ? `k1:${safeStorage.encryptString(plain).toString('base64')}` : `p0:${plain}`),
  open: (sealed) => (sealed.startsWith('k1:') ? safeStorage.decryptString(Buffer.from(sealed.slice(3), 'base64')) : sealed.replace(/^p0:/, '')),
};

// `npm start --data DIR` (the launcher passes PARLEY_USER_DATA): before anything reads userData.
const userDataOverride = process.env.PARLEY_USER_DATA;
if (userDataOverride) {
  app.setPath('userData', path.resolve(userDataOverride));
  app.setAppLogsPath(path.join(path.resolve(userDataOverride), 'logs'));
} else {
  app.setAppLogsPath();
}

const readOrNull = (file: string): string | null => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** "Start at login": the OS's login items on Windows and macOS, an XDG autostart entry on Linux. */
function applyOpenAtLogin(openAtLogin: boolean): void {
  if (process.platform === 'linux') {
    setLinuxAutostart(openAtLogin, { env: process.env, home: os.homedir(), execPath: process.execPath });
  } else {
    app.setLoginItemSettings({ openAtLogin, args: ['--hidden'] }); // args: Windows
  }
}

async function main(): Promise<void> {
  const level = process.env.PARLEY_LOG_LEVEL ?? 'info';
  const logFile = prepareLogFile(app.getPath('logs'));
  const log = pino(
    { level, base: { svc: 'parley-desktop' } },
    pino.multistream([
      { level, stream: pino.destination({ dest: logFile, append: true, sync: false }) },
      { level, stream: process.stderr },
    ]),
  );
  // Development: the repository (out/main/ → ../..). Packaged: the app.asar archive, which holds out/.
  const appRoot = path.resolve(__dirname, '../..');
  const icons = app.isPackaged ? path.join(process.resourcesPath, 'icons') : path.join(appRoot, 'build', 'icons');
  // better-sqlite3 for Electron's ABI (README, "Native modules"): packaged next to the asar, unpacked.
  const devBinding = path.join(appRoot, 'out', 'native', 'electron', 'better_sqlite3.node');
  const nativeBinding =
    process.env.PARLEY_SQLITE_BINDING ??
    (app.isPackaged ? path.join(`${app.getAppPath()}.unpacked`, 'out', 'native', 'package', 'better_sqlite3.node') : fs.existsSync(devBinding) ? devBinding : undefined);
  const feed = resolveFeedConfig({ env: process.env, packaged: app.isPackaged, appUpdateYml: readOrNull(path.join(process.resourcesPath, 'app-update.yml')) });
  if (feed.ignored) log.warn({}, feed.ignored);

  let host: ElectronHost | null = null;
  let updater: UpdateService | null = null;
  const core: ClientCore = new ClientCore({
    dataDir: app.getPath('userData'),
    appVersion: app.getVersion(),
    secretBox: keychainBox,
    nativeBinding,
    log,
    desktop: desktopServices({
      hostKind: 'electron',
      defaultServerUrl: process.env.PARLEY_DEFAULT_SERVER,
      applyOpenAtLogin,
      log,
      createUpdater: (context, prefs, emit) =>
        (updater = new UpdateService({
          currentVersion: context.appVersion,
          platform: process.platform,
          arch: process.arch,
          feedUrl: feed.url,
          unsupportedReason: feed.url === null ? feed.reason : undefined,
          engine: feed.url === null ? null : electronUpdateEngine({ feedUrl: feed.url, log, allowQuit: () => host?.allowQuit(), dev: !app.isPackaged }),
          channel: prefs.updateChannel,
          // Never interrupt a message being sent: queued ones are in SQLite, in-flight ones get time to be acknowledged.
          beforeInstall: async () => void (await Promise.all(core.accounts().map((a) => a.outbox.idle(10_000)))),
          onChange: emit,
          log,
        })),
    }),
  });
  host = await startElectronHost({
    handlers: core.handlers,
    events: core.events,
    feed: core.feed,
    rendererDir: path.join(appRoot, 'out', 'renderer'),
    devServerUrl: process.env.PARLEY_RENDERER_URL,
    preloadPath: path.join(__dirname, '../preload/electron-preload.cjs'),
    trayIconPath: path.join(icons, 'tray.png'),
    windowIconPath: path.join(icons, 'icon.png'),
    defaultServerUrl: process.env.PARLEY_DEFAULT_SERVER,
    startHidden: process.argv.includes('--hidden') || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true),
    dev: !app.isPackaged,
    onCheckForUpdates: feed.url === null ? undefined : () => void updater?.checkNow(),
    start: () => core.start(),
    shutdown: async () => {
      updater?.stop();
      // Whatever is queued is already in SQLite; give what is in flight a moment to be acknowledged.
      await Promise.all(core.accounts().map((a) => a.outbox.idle(3000)));
      await core.stop();
    },
    onWake: () => core.networkMayBeBack(),
    log,
  });
  if (!host) return; // another instance is running and was focused instead
  // `npm start`'s Ctrl+C, a service manager, a logout: quit the way the Quit menu item does.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => host?.quit());
  (updater as UpdateService | null)?.start();
}

void main();
