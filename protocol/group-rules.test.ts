import { describe, expect, it } from 'vitest';
import {
  GROUP_ROLES,
  joinOutcome,
  MANAGER_ACTIONS,
  mayDiscipline,
  mayDo,
  mayInvite,
  mayLeave,
  mayMention,
  muteOf,
  OWNER_ACTIONS,
  recallVerdict,
  type GroupRole,
} from './group-rules.js';

const ROLES: Array<GroupRole | null> = [...GROUP_ROLES, null];

describe('group rules (docs/protocol.md "Groups and chatrooms")', () => {
  it('let only the owner and admins kick, approve, reject, mute, update, recall others and mention @all', () => {
    for (const action of MANAGER_ACTIONS) {
      expect(ROLES.map((r) => mayDo(r, action))).toEqual([true, true, false, false]);
    }
  });

  it('let only the owner transfer, dismiss and name admins', () => {
    for (const action of OWNER_ACTIONS) expect(ROLES.map((r) => mayDo(r, action))).toEqual([true, false, false, false]);
  });

  it('let the owner act on anyone but the owner, an admin on plain members only', () => {
    const table = ROLES.map((actor) => ROLES.map((target) => mayDiscipline(actor, target)));
    expect(table).toEqual([
      // target: owner, admin, member, non-member
      [false, true, true, false], // owner
      [false, false, true, false], // admin
      [false, false, false, false], // member
      [false, false, false, false], // non-member
    ]);
  });

  it('let any member invite, except in invite groups', () => {
    expect(ROLES.map((r) => mayInvite(r, 'open'))).toEqual([true, true, true, false]);
    expect(ROLES.map((r) => mayInvite(r, 'approval'))).toEqual([true, true, true, false]);
    expect(ROLES.map((r) => mayInvite(r, 'invite'))).toEqual([true, true, false, false]);
  });

  it('join by policy, and keep the owner from leaving', () => {
    expect([joinOutcome('open'), joinOutcome('approval'), joinOutcome('invite')]).toEqual(['joined', 'pending', 'forbidden']);
    expect(ROLES.map(mayLeave)).toEqual([false, true, true, false]);
  });

  it('say who is muted: never the owner; muting everyone leaves the owner and admins speaking', () => {
    const now = 1000;
    expect(muteOf({ role: 'owner', mutedUntil: 5000 }, 5000, now)).toBeNull();
    expect(muteOf({ role: 'admin', mutedUntil: 5000 }, 0, now)).toEqual({ reason: 'muted', untilTs: 5000 });
    expect(muteOf({ role: 'admin' }, 5000, now)).toBeNull();
    expect(muteOf({ role: 'member' }, 5000, now)).toEqual({ reason: 'mutedAll', untilTs: 5000 });
    expect(muteOf({ role: 'member', mutedUntil: 999 }, 999, now)).toBeNull();
  });

  it('keep @all for the owner and admins; mentions by id are open', () => {
    expect(ROLES.map((r) => mayMention(r, ['@all']))).toEqual([true, true, false, false]);
    expect(mayMention('member', ['bob'])).toBe(true);
    expect(mayMention('member', undefined)).toBe(true);
  });

  it('recall: own entries within the window; the owner and admins any entry, at any time', () => {
    const base = { sentAt: 0, recallWindowMs: 120_000 };
    expect(recallVerdict({ ...base, role: null, own: true, now: 120_000 })).toBe('allowed');
    expect(recallVerdict({ ...base, role: null, own: true, now: 120_001 })).toBe('too-late');
    expect(recallVerdict({ ...base, role: 'member', own: false, now: 1 })).toBe('not-own');
    expect(recallVerdict({ ...base, role: 'admin', own: false, now: 10 ** 9 })).toBe('allowed');
    expect(recallVerdict({ ...base, recallWindowMs: 600_000, role: null, own: true, now: 300_000 })).toBe('allowed');
  });
});
