/**
 * Times as the chat apps show them, in the UI language: the list shows "14:02" today, "Yesterday",
 * a weekday within the week, then a date; day separators say "Today" / "Yesterday" / a full date.
 * Clocks are 24-hour, as in Telegram and WeChat.
 */
import type { TFunction } from 'i18next';

const DAY = 24 * 3600_000;
const cache = new Map<string, Intl.DateTimeFormat>();

function fmt(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(options);
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

export function startOfDay(ts: number): number {
  const d = new Date(ts);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Whole calendar days between two instants in local time (DST-safe). */
export function daysBetween(earlier: number, later: number): number {
  return Math.round((startOfDay(later) - startOfDay(earlier)) / DAY);
}

export function formatClock(ts: number, locale: string): string {
  return fmt(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ts);
}

export function formatListTime(ts: number, now: number, locale: string, t: TFunction): string {
  const days = daysBetween(ts, now);
  if (days <= 0) return formatClock(ts, locale);
  if (days === 1) return t('time.yesterday');
  if (days < 7) return fmt(locale, { weekday: 'short' }).format(ts);
  if (new Date(ts).getFullYear() === new Date(now).getFullYear()) {
    return fmt(locale, { month: 'numeric', day: 'numeric' }).format(ts);
  }
  return fmt(locale, { year: 'numeric', month: 'numeric', day: 'numeric' }).format(ts);
}

export function formatDayLabel(ts: number, now: number, locale: string, t: TFunction): string {
  const days = daysBetween(ts, now);
  if (days <= 0) return t('time.today');
  if (days === 1) return t('time.yesterday');
  const sameYear = new Date(ts).getFullYear() === new Date(now).getFullYear();
  return fmt(locale, sameYear ? { weekday: 'long', month: 'long', day: 'numeric' } : { year: 'numeric', month: 'long', day: 'numeric' }).format(ts);
}

export function formatFullTime(ts: number, locale: string): string {
  return fmt(locale, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ts);
}

export function formatLastSeen(lastSeen: number, now: number, locale: string, t: TFunction): string {
  const minutes = Math.floor((now - lastSeen) / 60_000);
  if (minutes < 1) return t('conversation.lastSeenJustNow');
  if (minutes < 60) return t('conversation.lastSeenMinutes', { count: minutes });
  const days = daysBetween(lastSeen, now);
  if (days <= 0) return t('conversation.lastSeenToday', { time: formatClock(lastSeen, locale) });
  if (days === 1) return t('conversation.lastSeenYesterday', { time: formatClock(lastSeen, locale) });
  return t('conversation.lastSeenDate', { date: fmt(locale, { year: 'numeric', month: 'numeric', day: 'numeric' }).format(lastSeen) });
}

export function isSameDay(a: number, b: number): boolean {
  return startOfDay(a) === startOfDay(b);
}
