import { describe, expect, it } from 'vitest';
import type { GroupInfo } from '../../../preload/api-types';
import { codePointLength, mayInvite } from '../../../protocol/pure.js';
import { memberActions, splitIds } from './group-rules';

const now = 1_000_000;

describe('memberActions', () => {
  it('gives the owner everything on others, nothing on themselves', () => {
    expect(memberActions({ userId: 'o', role: 'owner' }, { userId: 'a', role: 'admin' }, now)).toEqual(['mute-1h', 'mute-24h', 'mute-forever', 'kick', 'remove-admin', 'transfer']);
    expect(memberActions({ userId: 'o', role: 'owner' }, { userId: 'm', role: 'member', mutedUntil: now + 1 }, now)).toEqual(['unmute', 'kick', 'make-admin', 'transfer']);
    expect(memberActions({ userId: 'o', role: 'owner' }, { userId: 'o', role: 'owner' }, now)).toEqual([]);
  });

  it('lets an admin mute and kick plain members only, and a member nothing', () => {
    expect(memberActions({ userId: 'a', role: 'admin' }, { userId: 'm', role: 'member', mutedUntil: now - 1 }, now)).toEqual(['mute-1h', 'mute-24h', 'mute-forever', 'kick']);
    expect(memberActions({ userId: 'a', role: 'admin' }, { userId: 'b', role: 'admin' }, now)).toEqual([]);
    expect(memberActions({ userId: 'a', role: 'admin' }, { userId: 'o', role: 'owner' }, now)).toEqual([]);
    expect(memberActions({ userId: 'm', role: 'member' }, { userId: 'n', role: 'member' }, now)).toEqual([]);
  });
});

describe('helpers', () => {
  it('invites: anyone, except in invite-only groups', () => {
    const info = (joinPolicy: GroupInfo['joinPolicy']): GroupInfo => ({ groupId: 'g', name: 'G', owner: 'o', admins: [], announcement: '', joinPolicy, memberCount: 1, mutedAll: false });
    expect(mayInvite('member', info('open').joinPolicy)).toBe(true);
    expect(mayInvite('member', info('invite').joinPolicy)).toBe(false);
    expect(mayInvite('admin', info('invite').joinPolicy)).toBe(true);
  });

  it('splits id lists and counts code points', () => {
    expect(splitIds(' a, b  c，a\nd ')).toEqual(['a', 'b', 'c', 'd']);
    expect(codePointLength('😀😀')).toBe(2);
  });
});
