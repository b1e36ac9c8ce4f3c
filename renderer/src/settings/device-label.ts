/** How a signed-in device is named and when it was last seen, for the devices list. */
import type { DeviceView } from '../../../preload/api-types';

const PLATFORMS: Record<string, string> = { darwin: 'macOS', win32: 'Windows', linux: 'Linux' };

/** "macOS · parley-desktop/1.2.0": the platform (by its usual name) and the app; the device id when both are empty. */
export function deviceLabel(d: Pick<DeviceView, 'deviceId' | 'platform' | 'app'>): string {
  const parts = [PLATFORMS[d.platform] ?? d.platform, d.app].filter((p) => p.trim() !== '');
  return parts.length > 0 ? parts.join(' · ') : d.deviceId;
}

export function formatLastSeen(ts: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(ts);
}
