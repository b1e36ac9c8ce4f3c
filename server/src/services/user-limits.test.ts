import { afterEach, describe, expect, it } from 'vitest';
import { UserLimits } from './user-limits.js';

const config = { fetchRate: 1, fetchBurst: 2, signalRate: 0, signalBurst: 1, changeRate: 10, changeBurst: 5 };
let limits: UserLimits | null = null;

afterEach(() => limits?.dispose());

describe('UserLimits', () => {
  it('puts every op but hello and send in a group', () => {
    expect(UserLimits.groupOf('history')).toBe('fetch');
    expect(UserLimits.groupOf('typing')).toBe('signal');
    expect(UserLimits.groupOf('group.kick')).toBe('change');
    expect(UserLimits.groupOf('send')).toBeNull();
    expect(UserLimits.groupOf('hello')).toBeNull();
    expect(UserLimits.groupOf('toString')).toBeNull();
  });

  it('keeps an offline user until the buckets have refilled, then forgets them', () => {
    const online = new Set(['alice']);
    limits = new UserLimits(config, (u) => online.has(u));
    const t = 1_000_000;
    expect(limits.take('alice', 'fetch', t)).toBe(0);
    expect(limits.take('alice', 'fetch', t)).toBe(0);
    expect(limits.take('alice', 'fetch', t)).toBe(1000);
    expect(limits.take('bob', 'signal', t)).toBe(0); // rate 0: no limit
    online.delete('alice');
    limits.sweep(t + 500);
    expect(limits.size).toBe(1); // alice's bucket is still empty; bob's is full and bob is offline
    expect(limits.take('alice', 'fetch', t + 500)).toBe(500);
    limits.sweep(t + 5_000);
    expect(limits.size).toBe(0);
  });
});
