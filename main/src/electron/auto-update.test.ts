/**
 * The updater's Electron engine (auto-update.ts) on a stand-in electron-updater: what it asks electron-updater
 * to download and how it installs. The whole flow through main.ts (check, download, "restart to update" waiting
 * for the outbox) is in main.test.ts.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../ipc/logger.js';

const { fake, updater } = await vi.hoisted(async () => {
  const { createFakeElectron } = await import('./test-support/fake-electron.js');
  const { FakeAutoUpdater } = await import('./test-support/fake-updater.js');
  const fake = createFakeElectron();
  return { fake, updater: new FakeAutoUpdater(fake) };
});
vi.mock('electron', () => fake.module);
vi.mock('electron-updater', () => ({ autoUpdater: updater }));

const { electronUpdateEngine } = await import('./auto-update.js');

function recordingLog(): Logger & { lines: Array<[string, unknown, string]> } {
  const lines: Array<[string, unknown, string]> = [];
  const at = (level: string) => (obj: unknown, msg: string) => void lines.push([level, obj, msg]);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as Logger & { lines: typeof lines };
}

beforeEach(() => {
  fake.reset();
  updater.removeAllListeners();
  updater.offered = null;
  updater.calls.length = 0;
  updater.installs.length = 0;
});

describe('electronUpdateEngine', () => {
  it('downloads what the service decided from the generic feed, never a downgrade, reporting progress', async () => {
    const engine = electronUpdateEngine({ feedUrl: 'https://updates.example/parley/', log: recordingLog(), allowQuit: () => {}, dev: false });
    updater.offered = '1.3.0';
    const progress: number[] = [];
    await engine.download({ version: '1.3.0', feed: 'latest' }, (f) => progress.push(f));
    expect(updater.feedUrls).toEqual([{ provider: 'generic', url: 'https://updates.example/parley/' }]);
    expect(updater).toMatchObject({ autoDownload: false, channel: 'latest', allowPrerelease: false, allowDowngrade: false, autoInstallOnAppQuit: true, forceDevUpdateConfig: false });
    expect(updater.calls).toEqual(['checkForUpdates', 'downloadUpdate']);
    expect(progress).toEqual([0.25, 0.5, 1]);
    expect(updater.listenerCount('download-progress')).toBe(0);
  });

  it('refuses a feed that is not https, except http to this computer in a development run', async () => {
    const engine = (feedUrl: string, dev: boolean) => electronUpdateEngine({ feedUrl, log: recordingLog(), allowQuit: () => {}, dev });
    for (const url of ['http://updates.example/parley/', 'http://10.0.0.2/u/', 'ftp://updates.example/']) {
      expect(() => engine(url, false), url).toThrow(/https/);
      expect(() => engine(url, true), url).toThrow(/https/);
    }
    expect(() => engine('http://127.0.0.1:9/u/', false)).toThrow(/https/);
    updater.offered = '1.3.0';
    await engine('http://127.0.0.1:9/u/', true).download({ version: '1.3.0', feed: 'latest' }, () => {});
    expect(updater.feedUrls.at(-1)).toEqual({ provider: 'generic', url: 'http://127.0.0.1:9/u/' });
  });

  it('takes pre-releases only from the beta feed, and lets a development run use the feed', async () => {
    const engine = electronUpdateEngine({ feedUrl: 'https://updates.example/', log: recordingLog(), allowQuit: () => {}, dev: true });
    updater.offered = '1.4.0-beta.2';
    await engine.download({ version: '1.4.0-beta.2', feed: 'beta' }, () => {});
    expect(updater).toMatchObject({ channel: 'beta', allowPrerelease: true, allowDowngrade: false, forceDevUpdateConfig: true });
  });

  it('fails when the server no longer offers an update, and notes when it offers a newer one than decided', async () => {
    const log = recordingLog();
    const engine = electronUpdateEngine({ feedUrl: 'https://updates.example/', log, allowQuit: () => {}, dev: false });
    await expect(engine.download({ version: '1.3.0', feed: 'latest' }, () => {})).rejects.toThrow('the update server no longer offers 1.3.0');
    expect(updater.calls).toEqual(['checkForUpdates']);
    expect(updater.listenerCount('download-progress')).toBe(0);

    updater.offered = '1.3.1';
    await engine.download({ version: '1.3.0', feed: 'latest' }, () => {});
    expect(log.lines).toContainEqual(['info', { offered: '1.3.1', decided: '1.3.0' }, 'a newer update appeared']);
    // electron-updater's own messages go to our log, at levels that do not alarm.
    updater.logger?.info('fetching');
    updater.logger?.error('bad signature');
    expect(log.lines).toContainEqual(['debug', { updater: 'fetching' }, 'electron-updater']);
    expect(log.lines).toContainEqual(['warn', { updater: 'bad signature' }, 'electron-updater']);
  });

  it('lets the window close before installing silently and starting the new version', async () => {
    const order: string[] = [];
    updater.onQuitAndInstall = () => order.push('quitAndInstall');
    const engine = electronUpdateEngine({ feedUrl: 'https://updates.example/', log: recordingLog(), allowQuit: () => order.push('allowQuit'), dev: false });
    engine.install();
    expect(order).toEqual(['allowQuit', 'quitAndInstall']);
    expect(updater.installs).toEqual([{ isSilent: true, isForceRunAfter: true }]);
    await fake.app.whenExited();
  });

  it('drops a downloaded update so it does not install on quit', () => {
    const engine = electronUpdateEngine({ feedUrl: 'https://updates.example/', log: recordingLog(), allowQuit: () => {}, dev: false });
    updater.autoInstallOnAppQuit = true;
    engine.discard();
    expect(updater.autoInstallOnAppQuit).toBe(false);
  });
});
