/** The desktop app's own preferences (start at login, update channel): a small JSON file in the data directory. */
import fs from 'node:fs';
import path from 'node:path';
import type { DesktopSettings } from '../../../preload/contract.js';
import { PRIVATE_FILE_MODE } from '../fs/private-files.js';

export const DEFAULT_DESKTOP_SETTINGS: DesktopSettings = { openAtLogin: false, updateChannel: 'stable' };

/** Known fields of the right type, over the defaults; anything else in the file is ignored. */
export function parseDesktopSettings(value: unknown, base: DesktopSettings = DEFAULT_DESKTOP_SETTINGS): DesktopSettings {
  const v = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  return {
    openAtLogin: typeof v.openAtLogin === 'boolean' ? v.openAtLogin : base.openAtLogin,
    updateChannel: v.updateChannel === 'stable' || v.updateChannel === 'beta' ? v.updateChannel : base.updateChannel,
  };
}

export class DesktopPrefs {
  readonly file: string;
  private current: DesktopSettings;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'desktop.json');
    this.current = this.read();
  }

  private read(): DesktopSettings {
    try {
      return parseDesktopSettings(JSON.parse(fs.readFileSync(this.file, 'utf8')));
    } catch {
      return { ...DEFAULT_DESKTOP_SETTINGS };
    }
  }

  get(): DesktopSettings {
    return { ...this.current };
  }

  /** Writes through a temporary file and a rename, so a crash mid-write keeps the old file. */
  set(patch: Partial<DesktopSettings>): DesktopSettings {
    this.current = parseDesktopSettings(patch, this.current);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.current, null, 2), { mode: PRIVATE_FILE_MODE });
    fs.renameSync(tmp, this.file);
    return this.get();
  }
}
