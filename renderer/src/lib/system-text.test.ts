import { describe, expect, it } from 'vitest';
import { SYSTEM_EVENTS, isGroupSystemBody, type SystemEventBodies, type SystemEventName } from '../../../protocol/pure.js';
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

  it('reads every system event protocol/ defines as its own sentence, in both languages', () => {
    // One well-formed body per event: a new event in protocol/ fails to compile here until it has one.
    const bodies: { [E in SystemEventName]: SystemEventBodies[E] } = {
      'group.created': { event: 'group.created', actor: 'alice', targets: ['bob'], name: 'Team' },
      'member.invited': { event: 'member.invited', actor: 'alice', targets: ['bob'] },
      'member.joined': { event: 'member.joined', actor: 'bob', targets: ['bob'] },
      'member.left': { event: 'member.left', actor: 'bob', targets: ['bob'] },
      'member.kicked': { event: 'member.kicked', actor: 'alice', targets: ['bob'] },
      'owner.transferred': { event: 'owner.transferred', actor: 'alice', targets: ['bob'] },
      'admins.changed': { event: 'admins.changed', actor: 'alice', targets: ['bob'], admin: true },
      'group.updated': { event: 'group.updated', actor: 'alice', joinPolicy: 'open' },
      'group.muted': { event: 'group.muted', actor: 'alice', targets: ['bob'], untilTs: 2000 },
      'group.dismissed': { event: 'group.dismissed', actor: 'alice' },
    };
    expect(Object.keys(bodies).sort()).toEqual([...SYSTEM_EVENTS].sort());
    for (const language of ['en', 'zh-CN'] as const) {
      const unknown = systemText({ event: 'group.exploded' }, 0, options(language));
      const seen = new Set<string>();
      for (const event of SYSTEM_EVENTS) {
        const body = bodies[event];
        expect(isGroupSystemBody(body)).toBe(true);
        const text = systemText(body, 1000, options(language));
        expect(text, `${language} ${event}`).not.toBe(unknown);
        expect(text, `${language} ${event}`).not.toMatch(/system\.|\{\{/);
        expect(text, `${language} ${event}`).toContain(names[body.actor]);
        seen.add(text);
      }
      expect(seen.size).toBe(SYSTEM_EVENTS.length);
    }
  });
});
