import type { TFunction } from 'i18next';

/** Human file sizes with the locale's digits: 512 B, 1.2 KB, 34 MB. */
export function formatFileSize(bytes: number, t: TFunction, locale: string): string {
  const fmt = (value: number) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: value < 10 ? 1 : 0 }).format(value);
  if (!Number.isFinite(bytes) || bytes < 1024) return t('size.bytes', { value: String(Math.max(0, Math.round(bytes || 0))) });
  if (bytes < 1024 ** 2) return t('size.kb', { value: fmt(bytes / 1024) });
  if (bytes < 1024 ** 3) return t('size.mb', { value: fmt(bytes / 1024 ** 2) });
  return t('size.gb', { value: fmt(bytes / 1024 ** 3) });
}

/** m:ss for voice messages. */
export function formatDuration(ms: number, t: TFunction): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return t('duration.short', { m: String(m), s: String(s).padStart(2, '0') });
}
