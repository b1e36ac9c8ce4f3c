import { describe, expect, it } from 'vitest';
import { ConversationCache, trayTooltip, unreadSummary } from './unread.js';
import { conversation } from './test-fixtures.js';

describe('unread summary', () => {
  it('counts unmuted conversations, and muted ones only with a mention', () => {
    const summary = unreadSummary([
      conversation({ convId: 'g:a', unread: 3 }),
      conversation({ convId: 'g:b', unread: 0 }),
      conversation({ convId: 'g:c', unread: 40, muted: true }),
      conversation({ convId: 'g:d', unread: 2, muted: true, mentioned: true }),
      conversation({ convId: 'p:a|b', kind: 'private', unread: 1, mentioned: true }),
    ]);
    expect(summary).toEqual({ total: 6, conversations: 3, mentioned: 2 });
    expect(unreadSummary([])).toEqual({ total: 0, conversations: 0, mentioned: 0 });
  });

  it('words the tray tooltip', () => {
    expect(trayTooltip({ total: 0, conversations: 0, mentioned: 0 }, 'en')).toBe('Parley');
    expect(trayTooltip({ total: 1, conversations: 1, mentioned: 0 }, 'en')).toBe('Parley — 1 unread message');
    expect(trayTooltip({ total: 5, conversations: 2, mentioned: 0 }, 'zh-CN')).toBe('Parley — 5 条未读消息');
  });

  it('keeps the latest views from change events', () => {
    const cache = new ConversationCache();
    cache.replaceAll([conversation({ convId: 'g:a' }), conversation({ convId: 'g:b' })]);
    cache.apply({ conversations: [conversation({ convId: 'g:a', unread: 0 })], removed: ['g:b'] });
    expect([...cache.all()].map((c) => [c.convId, c.unread])).toEqual([['g:a', 0]]);
  });
});
