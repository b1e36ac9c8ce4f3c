import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../preload/contract.js';
import { formatNotification, messageSummary, resolveLocale, withMentionNames, type NotificationInput } from './format.js';
import { textMessage } from './test-fixtures.js';

const names: Record<string, string> = { bob: 'Bob', carol: 'Carol' };
const input = (patch: Partial<NotificationInput>): NotificationInput => ({
  convId: 'g:team',
  conversationTitle: 'Team',
  conversationKind: 'group',
  messages: [textMessage({ text: 'ship it' })],
  total: 1,
  mentioned: false,
  preview: true,
  sound: true,
  locale: 'en',
  senderName: (id) => names[id] ?? id,
  ...patch,
});

describe('notification text', () => {
  it('shows the text, with the sender in groups and without in private chats', () => {
    expect(formatNotification(input({}))).toEqual({
      tag: 'g:team',
      convId: 'g:team',
      title: 'Team',
      body: 'Bob: ship it',
      count: 1,
      mentioned: false,
      silent: false,
    });
    expect(formatNotification(input({ convId: 'p:alice|bob', conversationKind: 'private', conversationTitle: 'Bob' })).body).toBe('ship it');
  });

  it('shows no message text when preview is off', () => {
    const group = formatNotification(input({ preview: false }));
    expect(group.body).toBe('New message from Bob');
    expect(JSON.stringify(group)).not.toContain('ship it');
    expect(formatNotification(input({ preview: false, conversationKind: 'private' })).body).toBe('New message');
    expect(formatNotification(input({ preview: false, locale: 'zh-CN' })).body).toBe('Bob 发来一条新消息');
  });

  it('summarizes bursts', () => {
    const two = [textMessage(), textMessage({ seq: 11 })];
    expect(formatNotification(input({ messages: two, total: 3 })).body).toBe('3 new messages from Bob');
    expect(formatNotification(input({ messages: [textMessage(), textMessage({ from: 'carol' })], total: 3 })).body).toBe('3 new messages');
    expect(formatNotification(input({ messages: two, total: 3, conversationKind: 'private' })).body).toBe('3 new messages');
    expect(formatNotification(input({ messages: two, total: 3, locale: 'zh-CN' })).body).toBe('Bob 发来 3 条新消息');
    expect(formatNotification(input({ messages: two, total: 3 })).count).toBe(3);
  });

  it('marks mentions and honours the sound setting', () => {
    const n = formatNotification(input({ mentioned: true, sound: false }));
    expect(n.body).toBe('[Mentioned you] Bob: ship it');
    expect(n.silent).toBe(true);
    expect(formatNotification(input({ mentioned: true, locale: 'zh-CN' })).body).toBe('[有人@我] Bob: ship it');
  });

  it('summarizes every kind in one short line', () => {
    const of = (kind: string, body: Record<string, unknown>) => ({ ...textMessage(), kind, body }) as MessageView;
    expect(messageSummary(of('image', { name: 'a.png' }), 'en')).toBe('[Image]');
    expect(messageSummary(of('file', { name: 'report.pdf' }), 'zh-CN')).toBe('[文件] report.pdf');
    expect(messageSummary(of('location', { label: 'Shanghai' }), 'en')).toBe('[Location] Shanghai');
    expect(messageSummary(of('custom', { type: 'card', data: {} }), 'en')).toBe('[Message]');
    expect(messageSummary(textMessage({ text: 'line one\n\nline two' }), 'en')).toBe('line one line two');
    const long = messageSummary(textMessage({ text: '😀'.repeat(500) }), 'en');
    expect(Array.from(long)).toHaveLength(120);
    expect(long.endsWith('…')).toBe(true);
  });

  it('resolves the system language from the OS locale', () => {
    expect(resolveLocale('system', 'zh-TW')).toBe('zh-CN');
    expect(resolveLocale('system', 'de-DE')).toBe('en');
    expect(resolveLocale('system', undefined)).toBe('en');
    expect(resolveLocale('en', 'zh-CN')).toBe('en');
  });
});

describe('mentions in notifications', () => {
  it('read as names, as the app shows them; @all as everyone; other @words stay', () => {
    const names: Record<string, string> = { bob: 'Bob 李', 'a.b': 'Ann' };
    const nameOf = (id: string) => names[id] ?? id;
    expect(withMentionNames('@bob look, @bobby and @a.b; @all', ['bob', 'a.b', '@all'], 'en', nameOf)).toBe('@Bob 李 look, @bobby and @Ann; @Everyone');
    expect(withMentionNames('@all 开会', ['@all'], 'zh-CN', nameOf)).toBe('@所有人 开会');
    expect(withMentionNames('@bob hi', undefined, 'en', nameOf)).toBe('@bob hi');
  });
});
