import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext, UpdateView } from '../../../preload/contract.js';
import { ClientCore } from '../core/client-core.js';
import { toErrorBody } from '../ipc/errors.js';
import { UpdateService } from '../updater/update-service.js';
import { DesktopPrefs, parseDesktopSettings } from './desktop-prefs.js';
import { desktopServices } from './desktop-services.js';

const ctx: CallContext = { transport: 'main', clientId: 'test' };
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-desktop-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('desktop preferences', () => {
  it('keep known fields over defaults and survive a restart', () => {
    expect(parseDesktopSettings({ openAtLogin: 'yes', updateChannel: 'nightly', extra: 1 })).toEqual({ openAtLogin: false, updateChannel: 'stable' });
    const dir = tempDir();
    new DesktopPrefs(dir).set({ updateChannel: 'beta' });
    expect(new DesktopPrefs(dir).get()).toEqual({ openAtLogin: false, updateChannel: 'beta' });
    fs.writeFileSync(path.join(dir, 'desktop.json'), '{broken');
    expect(new DesktopPrefs(dir).get()).toEqual({ openAtLogin: false, updateChannel: 'stable' });
  });
});

describe('the core serves app.*, desktop.* and updates.*', () => {
  it('in host mode: info, remembered preferences, no updater', async () => {
    const core = new ClientCore({ dataDir: tempDir(), appVersion: '1.2.0' });
    const events: unknown[] = [];
    core.events.on('desktop:changed', (p) => events.push(p));
    expect(await core.handlers['app.info']({}, ctx)).toEqual({ version: '1.2.0', platform: process.platform, hostKind: 'host', openAtLoginSupported: false });
    expect(await core.handlers['desktop.set']({ updateChannel: 'beta' }, ctx)).toEqual({ openAtLogin: false, updateChannel: 'beta' });
    expect(events).toEqual([{ openAtLogin: false, updateChannel: 'beta' }]);
    expect(await core.handlers['updates.get']({}, ctx)).toMatchObject({ supported: false, state: 'idle', channel: 'beta' });
    expect(toErrorBody(await core.handlers['updates.restart']({}, ctx).catch((e: unknown) => e)).body.code).toBe('BAD_REQUEST');
  });

  it('on the desktop: start at login applied, channel handed to the updater, update events forwarded', async () => {
    const dataDir = tempDir();
    new DesktopPrefs(dataDir).set({ openAtLogin: true });
    const loginItem: boolean[] = [];
    let updater: UpdateService | null = null;
    const core = new ClientCore({
      dataDir,
      appVersion: '1.2.0',
      desktop: desktopServices({
        hostKind: 'electron',
        defaultServerUrl: 'http://127.0.0.1:8080',
        applyOpenAtLogin: (on) => loginItem.push(on),
        createUpdater: (context, prefs, emit) =>
          (updater = new UpdateService({
            currentVersion: context.appVersion,
            platform: 'win32',
            arch: 'x64',
            feedUrl: null,
            engine: null,
            channel: prefs.updateChannel,
            beforeInstall: async () => undefined,
            onChange: emit,
          })),
      }),
    });
    const updates: UpdateView[] = [];
    core.events.on('update:changed', (v) => updates.push(v));
    expect(loginItem).toEqual([true]); // re-applied at start
    expect(await core.handlers['app.info']({}, ctx)).toMatchObject({ hostKind: 'electron', defaultServerUrl: 'http://127.0.0.1:8080', openAtLoginSupported: true });
    await core.handlers['desktop.set']({ openAtLogin: false, updateChannel: 'beta' }, ctx);
    expect(loginItem).toEqual([true, false]);
    expect(updater!.view().channel).toBe('beta');
    expect(updates.at(-1)).toMatchObject({ channel: 'beta' });
    // Same value again: nothing to apply.
    await core.handlers['desktop.set']({ openAtLogin: false }, ctx);
    expect(loginItem).toEqual([true, false]);
  });
});
