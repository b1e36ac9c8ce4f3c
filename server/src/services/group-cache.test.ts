/** The in-memory group cache: one load per group, dropped on change (also from another node), bounded in members. */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBus } from '../bus/bus.js';
import { SqliteStorage } from '../storage/sqlite/sqlite-storage.js';
import type { AppendItem, Storage } from '../storage/storage.js';
import { GroupCache } from './group-cache.js';

/** Counts loads, to see what the cache spares storage. */
function counting(storage: SqliteStorage): { storage: Storage; loads: () => number } {
  let loads = 0;
  const wrapped = Object.create(storage) as Storage;
  wrapped.loadGroup = (groupId) => {
    loads++;
    return storage.loadGroup(groupId);
  };
  return { storage: wrapped, loads: () => loads };
}

function created(groupId: string, owner: string): AppendItem {
  return { convId: `g:${groupId}`, convKind: 'group', members: [], msgId: `m-${groupId}`, clientMsgId: `c-${groupId}`, from: owner, ts: 1, kind: 'system', body: { event: 'group.created', actor: owner } };
}

describe('GroupCache', () => {
  const open: SqliteStorage[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  async function setup(maxMembers?: number) {
    const raw = new SqliteStorage({ file: ':memory:' });
    open.push(raw);
    for (const [groupId, size] of [['a', 3], ['b', 4], ['c', 2]] as const) {
      const members = Array.from({ length: size }, (_, i) => ({ userId: `${groupId}${i}`, role: i === 0 ? ('owner' as const) : ('member' as const) }));
      await raw.createGroup({ groupId, name: groupId, announcement: '', joinPolicy: 'open', mutedAllUntil: 0, createdAt: 1, dismissedAt: 0, public: false }, members, created(groupId, `${groupId}0`));
    }
    const { storage, loads } = counting(raw);
    const bus = new LocalBus();
    return { cache: new GroupCache(storage, bus, maxMembers), other: new GroupCache(storage, bus, maxMembers), loads };
  }

  it('loads a group once, lists the owner first, and knows unknown groups', async () => {
    const { cache, loads } = await setup();
    const [first, again] = await Promise.all([cache.get('b'), cache.get('b')]);
    expect(first).toBe(again);
    expect(loads()).toBe(1);
    expect(first!.owner).toBe('b0');
    expect(first!.memberIds).toHaveLength(4);
    expect(first!.sorted()[0]!.userId).toBe('b0');
    expect(await cache.get('nope')).toBeNull();
  });

  it('drops a changed group on every node sharing the bus', async () => {
    const { cache, other, loads } = await setup();
    await cache.get('a');
    await other.get('a');
    expect(loads()).toBe(2);
    cache.invalidate('a');
    await cache.get('a');
    await other.get('a');
    expect(loads()).toBe(4);
  });

  it('keeps at most maxMembers members cached, dropping the least recently used groups first', async () => {
    const { cache, loads } = await setup(10); // a weighs 4, b 5, c 3 (members + 1)
    await cache.get('a');
    await cache.get('b');
    await cache.get('a'); // a is now the most recent
    await cache.get('c'); // 12 > 10: b goes
    expect(loads()).toBe(3);
    await cache.get('a');
    await cache.get('c');
    expect(loads()).toBe(3);
    await cache.get('b');
    expect(loads()).toBe(4);
  });
});
