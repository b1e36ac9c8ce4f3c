import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n/setup';
import { systemText, systemUserIds } from './system-text';

const names: Record<string, string> = { alice: 'Alice', bob: 'Bob', ada: 'Ada' };
const options = (language: 'en' | 'zh-CN') => ({ selfId: 'me', nameOf: (id: string) => names[id] ?? id, t: createI18n(language).t, locale: language });

describe('systemText', () => {
  it('names who did what to whom, the user as "you"', () => {
    expect(systemText({ event: 'member.invited', actor: 'alice', targets: ['me', 'bob', 'ada'] }, 0, options('en'))).toBe('Alice invited you, Bob, and Ada');
    expect(systemText({ event: 'member.kicked', actor: 'me', targets: ['bob'] }, 0, options('en'))).toBe('You removed Bob');
    expect(systemText({ event: 'member.invited', actor: 'alice', targets: ['me', 'bob'] }, 0, options('zh-CN'))).toBe('Alice邀请你和Bob加入了群聊');
  });

  it('tells a mute from its end by the entry time', () => {
    expect(systemText({ event: 'group.muted', actor: 'bob', targets: ['me'], untilTs: 2000 }, 1000, options('en'))).toBe('Bob muted you');
    expect(systemText({ event: 'group.muted', actor: 'bob', targets: ['me'], untilTs: 0 }, 1000, options('en'))).toBe('Bob unmuted you');
  });

  it('never shows an internal event name, and survives odd bodies', () => {
    expect(systemText({ event: 'group.exploded', actor: 'bob' }, 0, options('en'))).toBe('Group notice');
    expect(systemText({ event: 'group.created', actor: 42, targets: 'x' }, 0, options('en'))).toBe('Someone created the group');
    expect(systemText({}, 0, options('zh-CN'))).toBe('群通知');
  });

  it('lists the users a notice names', () => {
    expect(systemUserIds({ event: 'member.invited', actor: 'alice', targets: ['bob', 'alice', 7] })).toEqual(['alice', 'bob']);
  });
});
