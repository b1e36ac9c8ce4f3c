/**
 * Test support: a stand-in for electron-updater's `autoUpdater`, typed by electron-updater's definitions, for
 * `vi.mock('electron-updater', () => ({ autoUpdater: updater }))`. The test says what the update server offers;
 * the fake records what the engine sets and calls, reports download progress, and installs as electron-updater
 * documents: close every window first, then quit the app.
 */
import { EventEmitter } from 'node:events';
import type { AppUpdater, Logger, UpdateCheckResult, UpdateInfo } from 'electron-updater';
import type { FakeApp, FakeBrowserWindow } from './fake-electron.js';

type UpdaterPart = Pick<
  AppUpdater,
  | 'autoDownload'
  | 'autoInstallOnAppQuit'
  | 'allowPrerelease'
  | 'allowDowngrade'
  | 'forceDevUpdateConfig'
  | 'channel'
  | 'logger'
  | 'setFeedURL'
  | 'checkForUpdates'
  | 'downloadUpdate'
  | 'quitAndInstall'
>;

export class FakeAutoUpdater extends EventEmitter implements UpdaterPart {
  autoDownload = true;
  autoInstallOnAppQuit = true;
  allowPrerelease = false;
  allowDowngrade = false;
  forceDevUpdateConfig = false;
  channel: string | null = null;
  logger: Logger | null = null;
  /** What the update server offers now (null: nothing newer). */
  offered: string | null = null;
  /** Progress events a download reports, in percent. */
  progressSteps = [25, 50, 100];
  readonly feedUrls: unknown[] = [];
  readonly calls: string[] = [];
  readonly installs: Array<{ isSilent?: boolean; isForceRunAfter?: boolean }> = [];
  /** Called as quitAndInstall is, to look at the app's state at that moment. */
  onQuitAndInstall: () => void = () => {};

  constructor(
    private readonly electron: { app: FakeApp; windows: () => FakeBrowserWindow[]; journal: string[] },
  ) {
    super();
  }

  setFeedURL(options: Parameters<AppUpdater['setFeedURL']>[0]): void {
    this.feedUrls.push(options);
  }

  async checkForUpdates(): Promise<UpdateCheckResult | null> {
    this.calls.push('checkForUpdates');
    this.emit('checking-for-update');
    const version = this.offered;
    if (version === null) {
      this.emit('update-not-available', {});
      return null;
    }
    const updateInfo: UpdateInfo = { version, files: [], path: `Parley-${version}.AppImage`, sha512: 'x', releaseDate: '2025-01-02T00:00:00.000Z' };
    this.emit('update-available', updateInfo);
    return { isUpdateAvailable: true, updateInfo, versionInfo: updateInfo, downloadPromise: null };
  }

  async downloadUpdate(): Promise<string[]> {
    this.calls.push('downloadUpdate');
    for (const percent of this.progressSteps) {
      await new Promise((resolve) => setImmediate(resolve));
      this.emit('download-progress', { percent, bytesPerSecond: 1, total: 100, transferred: percent, delta: 1 });
    }
    this.emit('update-downloaded', { version: this.offered, downloadedFile: '/tmp/update' });
    return ['/tmp/update'];
  }

  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    this.installs.push({ isSilent, isForceRunAfter });
    this.electron.journal.push('autoUpdater.quitAndInstall');
    this.onQuitAndInstall();
    // electron-updater closes the windows before `before-quit`; a window that refuses keeps the app running.
    setImmediate(() => {
      for (const window of this.electron.windows()) {
        if (!window.isDestroyed() && !window.close()) {
          this.electron.journal.push('autoUpdater.quitAndInstall stopped: a window refused to close');
          return;
        }
      }
      this.electron.app.quit();
    });
  }
}
