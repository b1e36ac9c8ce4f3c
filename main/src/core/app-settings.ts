/** App-wide preferences (language, theme, notifications): a JSON file, since they apply before sign-in too. */
import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../../../preload/contract.js';
import { PRIVATE_FILE_MODE } from '../fs/private-files.js';

export const DEFAULT_SETTINGS: Settings = {
  language: 'system',
  theme: 'system',
  notifications: { enabled: true, sound: true, preview: true },
};

export type SettingsPatch = Partial<Omit<Settings, 'notifications'>> & { notifications?: Partial<Settings['notifications']> };

export class AppSettings {
  private readonly file: string;
  private current: Settings;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
    this.current = this.read();
  }

  private read(): Settings {
    try {
      const raw = JSON.parse(fs.readFileSync(this.file, 'utf8')) as SettingsPatch;
      return merge(DEFAULT_SETTINGS, raw);
    } catch {
      return structuredClone(DEFAULT_SETTINGS);
    }
  }

  get(): Settings {
    return structuredClone(this.current);
  }

  set(patch: SettingsPatch): Settings {
    this.current = merge(this.current, patch);
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.current, null, 2), { mode: PRIVATE_FILE_MODE });
    fs.renameSync(tmp, this.file);
    return this.get();
  }
}

function merge(base: Settings, patch: SettingsPatch): Settings {
  const pick = <T>(value: unknown, allowed: readonly T[], fallback: T): T => (allowed.includes(value as T) ? (value as T) : fallback);
  const n = patch.notifications ?? {};
  const bool = (v: unknown, fallback: boolean) => (typeof v === 'boolean' ? v : fallback);
  return {
    language: pick(patch.language, ['zh-CN', 'en', 'system'] as const, base.language),
    theme: pick(patch.theme, ['light', 'dark', 'system'] as const, base.theme),
    notifications: {
      enabled: bool(n.enabled, base.notifications.enabled),
      sound: bool(n.sound, base.notifications.sound),
      preview: bool(n.preview, base.notifications.preview),
    },
  };
}
