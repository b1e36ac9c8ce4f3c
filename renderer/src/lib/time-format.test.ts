import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n/setup';
import { formatDayLabel, formatListTime, formatLastSeen } from './time-format';

const t = createI18n('en').t;
const now = new Date(2025, 5, 18, 15, 30).getTime(); // Wednesday 18 June 2025, 15:30 local

describe('formatListTime', () => {
  it('shows the time today, "Yesterday", a weekday this week, then a date', () => {
    expect(formatListTime(new Date(2025, 5, 18, 9, 5).getTime(), now, 'en', t)).toBe('09:05');
    expect(formatListTime(new Date(2025, 5, 17, 23, 59).getTime(), now, 'en', t)).toBe('Yesterday');
    expect(formatListTime(new Date(2025, 5, 15, 12).getTime(), now, 'en', t)).toBe('Sun');
    expect(formatListTime(new Date(2025, 1, 3, 12).getTime(), now, 'en', t)).toBe('2/3');
    expect(formatListTime(new Date(2023, 1, 3, 12).getTime(), now, 'en', t)).toBe('2/3/2023');
  });

  it('uses the UI language', () => {
    const zh = createI18n('zh-CN').t;
    expect(formatListTime(new Date(2025, 5, 17, 8).getTime(), now, 'zh-CN', zh)).toBe('昨天');
    expect(formatListTime(new Date(2025, 5, 15, 8).getTime(), now, 'zh-CN', zh)).toBe('周日');
  });
});

describe('formatDayLabel and formatLastSeen', () => {
  it('says Today / Yesterday / a full date', () => {
    expect(formatDayLabel(now - 60_000, now, 'en', t)).toBe('Today');
    expect(formatDayLabel(new Date(2025, 5, 17, 1).getTime(), now, 'en', t)).toBe('Yesterday');
    expect(formatDayLabel(new Date(2025, 5, 2, 1).getTime(), now, 'en', t)).toBe('Monday, June 2');
  });

  it('describes last seen times', () => {
    expect(formatLastSeen(now - 20_000, now, 'en', t)).toBe('last seen just now');
    expect(formatLastSeen(now - 5 * 60_000, now, 'en', t)).toBe('last seen 5 minutes ago');
    expect(formatLastSeen(new Date(2025, 5, 18, 8, 0).getTime(), now, 'en', t)).toBe('last seen today at 08:00');
  });
});
