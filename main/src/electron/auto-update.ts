/**
 * The updater's engine in the Electron app: electron-updater downloads (verifying the sha512 of the update
 * file) and installs what UpdateService (updater/update-service.ts) decided, reading the same generic feed.
 * Thin on purpose: the decisions, schedule and states are in the tested service.
 */
import { autoUpdater } from 'electron-updater';
import { describeError, type Logger } from '../ipc/logger.js';
import { feedUrl } from '../updater/update-config.js';
import type { UpdateEngine } from '../updater/update-service.js';

export interface ElectronUpdateEngineOptions {
  feedUrl: string;
  log: Logger;
  /** Lets the windows close (not hide to the tray) before the installer quits the app. */
  allowQuit: () => void;
  /** A development run with PARLEY_UPDATE_URL: electron-updater otherwise refuses unpackaged apps. */
  dev: boolean;
}

export function electronUpdateEngine(options: ElectronUpdateEngineOptions): UpdateEngine {
  const { log } = options;
  // update-config.ts already decided; this is the last place before electron-updater, so it checks again.
  if (feedUrl(options.feedUrl, options.dev) === null) throw new Error('the update feed must be https (or, in development, http to this computer)');
  const updater = () => {
    const u = autoUpdater;
    u.autoDownload = false;
    u.forceDevUpdateConfig = options.dev;
    u.logger = {
      info: (message?: unknown) => log.debug({ updater: String(message) }, 'electron-updater'),
      warn: (message?: unknown) => log.warn({ updater: String(message) }, 'electron-updater'),
      error: (message?: unknown) => log.warn({ updater: String(message) }, 'electron-updater'),
      debug: () => undefined,
    };
    return u;
  };
  return {
    async download({ version, feed }, onProgress) {
      const u = updater();
      u.setFeedURL({ provider: 'generic', url: options.feedUrl });
      // The feed file UpdateService chose (latest*.yml or beta*.yml). Setting a channel allows downgrades; not here.
      u.channel = feed;
      u.allowPrerelease = feed === 'beta';
      u.allowDowngrade = false;
      u.autoInstallOnAppQuit = true;
      const progress = (p: { percent: number }) => onProgress(p.percent / 100);
      u.on('download-progress', progress);
      try {
        const result = await u.checkForUpdates();
        if (!result?.isUpdateAvailable) throw new Error(`the update server no longer offers ${version}`);
        if (result.updateInfo.version !== version) log.info({ offered: result.updateInfo.version, decided: version }, 'a newer update appeared');
        await u.downloadUpdate();
      } finally {
        u.off('download-progress', progress);
      }
    },
    install() {
      options.allowQuit();
      // Silent on Windows (the one-click NSIS installer), then start the new version.
      updater().quitAndInstall(true, true);
    },
    discard() {
      try {
        updater().autoInstallOnAppQuit = false;
      } catch (error) {
        log.warn({ err: describeError(error) }, 'could not drop the downloaded update');
      }
    },
  };
}
