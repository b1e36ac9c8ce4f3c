/**
 * What the app knows about itself and its host, behind the contract's `app.*`, `desktop.*` and `updates.*`
 * methods: launch information, the desktop preferences, and the updater. The core serves them whichever host
 * runs it; host mode gets the plain version (no updater, no start at login), the Electron layer passes its own
 * parts (electron/desktop-integration.ts).
 */
import type { AppInfo, DesktopSettings, UpdateView } from '../../../preload/contract.js';
import type { ApiEventBus } from '../ipc/event-bus.js';
import { describeError, silentLogger, type Logger } from '../ipc/logger.js';
import { IpcError } from '../ipc/errors.js';
import type { UpdateService } from '../updater/update-service.js';
import { DesktopPrefs } from './desktop-prefs.js';

export interface DesktopServices {
  info(): AppInfo;
  settings(): DesktopSettings;
  setSettings(patch: Partial<DesktopSettings>): Promise<DesktopSettings>;
  updates(): UpdateView;
  checkForUpdates(): Promise<UpdateView>;
  restartToUpdate(): Promise<void>;
}

/** What the core gives the factory: its event bus and its data directory. */
export interface DesktopContext {
  events: ApiEventBus;
  dataDir: string;
  appVersion: string;
  platform: string;
}

export type DesktopServicesFactory = (context: DesktopContext) => DesktopServices;

export interface DesktopServicesOptions {
  hostKind: AppInfo['hostKind'];
  defaultServerUrl?: string;
  /** Applies "start at login" to the OS; absent where it is not supported. */
  applyOpenAtLogin?: (enabled: boolean) => void;
  /** The updater, made once the preferences (its channel) are known; absent: no updates here. */
  createUpdater?: (context: DesktopContext, prefs: DesktopSettings, emit: (view: UpdateView) => void) => UpdateService;
  log?: Logger;
}

export function desktopServices(options: DesktopServicesOptions): DesktopServicesFactory {
  return (context) => {
    const log = options.log ?? silentLogger;
    const prefs = new DesktopPrefs(context.dataDir);
    const emitUpdate = (view: UpdateView) => context.events.emit('update:changed', view);
    const updater = options.createUpdater?.(context, prefs.get(), emitUpdate) ?? null;
    const apply = (settings: DesktopSettings) => {
      try {
        options.applyOpenAtLogin?.(settings.openAtLogin);
      } catch (error) {
        log.warn({ err: describeError(error) }, 'could not change start at login');
      }
    };
    // The OS keeps the login item, but the app's path can change (an update, a move): say it again.
    if (prefs.get().openAtLogin) apply(prefs.get());
    const unsupportedUpdates = (): UpdateView => ({
      state: 'idle',
      supported: false,
      channel: prefs.get().updateChannel,
      currentVersion: context.appVersion,
      error: 'this copy of Parley does not update itself',
    });
    return {
      info: () => {
        const info: AppInfo = {
          version: context.appVersion,
          platform: context.platform,
          hostKind: options.hostKind,
          openAtLoginSupported: options.applyOpenAtLogin !== undefined,
        };
        if (options.defaultServerUrl) info.defaultServerUrl = options.defaultServerUrl;
        return info;
      },
      settings: () => prefs.get(),
      async setSettings(patch) {
        const before = prefs.get();
        const next = prefs.set(patch);
        if (next.openAtLogin !== before.openAtLogin) apply(next);
        if (next.updateChannel !== before.updateChannel) updater?.setChannel(next.updateChannel);
        context.events.emit('desktop:changed', next);
        return next;
      },
      updates: () => updater?.view() ?? unsupportedUpdates(),
      checkForUpdates: async () => (updater ? updater.checkNow() : unsupportedUpdates()),
      async restartToUpdate() {
        if (!updater) throw new IpcError('BAD_REQUEST', 'this copy of Parley does not update itself');
        await updater.restart();
      },
    };
  };
}

/** Host mode and tests: preferences are kept, nothing else applies. */
export const plainDesktopServices: DesktopServicesFactory = desktopServices({ hostKind: 'host' });
