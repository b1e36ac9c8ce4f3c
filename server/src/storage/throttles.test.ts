/**
 * Rate-limit buckets (services/rate-limit.ts): the same answers from this node's memory and from the buckets every
 * node shares in PostgreSQL (SharedThrottles of the PostgreSQL storage), and, for those, atomic takes from several
 * pools at once, clocks that disagree, and the pruning of full buckets. PostgreSQL when PARLEY_TEST_DATABASE_URL
 * names a server (`npm run test:postgres`), with a note saying so when it does not.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, databaseUrlFor, dropDatabaseFor } from '../../test/test-database.js';
import { memoryThrottles, sharedThrottles, type Throttles } from '../services/rate-limit.js';
import { PgStorage } from './postgres/pg-storage.js';
import type { SharedThrottles } from './storage.js';

if (!TEST_DATABASE_URL) {
  process.stdout.write('throttles: PostgreSQL skipped: set PARLEY_TEST_DATABASE_URL (or run npm run test:postgres) to run them against PostgreSQL too\n');
}

const schemas: string[] = [];
const opened: PgStorage[] = [];
afterAll(async () => {
  for (const s of opened.splice(0)) await s.close();
  for (const s of schemas.splice(0)) await dropDatabaseFor(s);
});

/** A fresh PostgreSQL schema's URL. */
async function freshPgUrl(): Promise<string> {
  const key = `throttles-${randomUUID()}`;
  schemas.push(key);
  return databaseUrlFor(key);
}

async function openPg(url: string): Promise<SharedThrottles> {
  const storage = await PgStorage.open({ url });
  opened.push(storage);
  return storage.throttles;
}

const implementations: Array<{ name: string; skip: boolean; make: () => Promise<Throttles> }> = [
  { name: 'memory', skip: false, make: async () => memoryThrottles },
  { name: 'PostgreSQL', skip: !TEST_DATABASE_URL, make: async () => sharedThrottles(await openPg(await freshPgUrl())) },
];

const T0 = 1_700_000_000_000;

for (const impl of implementations) {
  describe.skipIf(impl.skip)(`throttles: ${impl.name}`, () => {
    it('grant a full bucket its burst at once, then a token every 1/rate seconds, answering the wait', async () => {
      const t = (await impl.make())('refill', 2, 3);
      const key = randomUUID();
      for (let i = 0; i < 3; i++) expect(await t.take(key, T0)).toBe(0);
      expect(await t.take(key, T0)).toBe(500);
      expect(await t.take(key, T0 + 250)).toBe(250);
      expect(await t.take(key, T0 + 500)).toBe(0);
      expect(await t.take(key, T0 + 500)).toBe(500);
      // Long idle: full again, but no fuller than the burst.
      for (let i = 0; i < 3; i++) expect(await t.take(key, T0 + 3_600_000)).toBe(0);
      expect(await t.take(key, T0 + 3_600_000)).toBe(500);
    });

    it('peek takes nothing and waits for the tokens asked for; debt takes anyway and is paid back first', async () => {
      const t = (await impl.make())('debt', 2, 3);
      const key = randomUUID();
      expect(await t.peek(key, T0, 3)).toBe(0);
      expect(await t.peek(key, T0, 4)).toBe(500);
      expect(await t.peek(key, T0)).toBe(0);
      expect(await t.take(key, T0, 5, true)).toBe(0);
      expect(await t.peek(key, T0)).toBe(1500);
      expect(await t.take(key, T0 + 1000)).toBe(500);
      expect(await t.take(key, T0 + 1500)).toBe(0);
    });

    it('reset makes a bucket full; limits and keys are kept apart; a rate of 0 is unlimited', async () => {
      const throttles = await impl.make();
      const a = throttles('a', 1, 1);
      const b = throttles('b', 1, 1);
      const key = randomUUID();
      expect(await a.take(key, T0)).toBe(0);
      expect(await a.take(key, T0)).toBe(1000);
      expect(await a.take(`${key}x`, T0)).toBe(0);
      expect(await b.take(key, T0)).toBe(0);
      await a.reset(key);
      expect(await a.take(key, T0)).toBe(0);
      const free = throttles('free', 0, 1);
      for (let i = 0; i < 5; i++) expect(await free.take(key, T0)).toBe(0);
    });
  });
}

describe.skipIf(!TEST_DATABASE_URL)('throttles shared in PostgreSQL', () => {
  it('never grant more than the burst plus the refill, however many takes two pools make at once', async () => {
    const url = await freshPgUrl();
    const stores = [await openPg(url), await openPg(url)];
    const limit = { rate: 5, burst: 20 };
    // One instant: exactly the burst.
    const key = randomUUID();
    const same = await Promise.all(Array.from({ length: 120 }, (_, i) => stores[i % 2]!.take(key, limit, T0, 1, false)));
    expect(same.filter((w) => w === 0)).toHaveLength(20);
    expect(same.filter((w) => w > 0).every((w) => w === 200)).toBe(true);
    // Real time: at most the burst plus what refilled meanwhile.
    const live = randomUUID();
    const start = Date.now();
    const waits = await Promise.all(Array.from({ length: 200 }, (_, i) => stores[i % 2]!.take(live, limit, Date.now(), 1, false)));
    const elapsed = Date.now() - start;
    const granted = waits.filter((w) => w === 0).length;
    expect(granted).toBeGreaterThanOrEqual(20);
    expect(granted).toBeLessThanOrEqual(20 + Math.floor((elapsed / 1000) * limit.rate));
  });

  it('refill nothing for a node whose clock is behind the last take, and do not move the bucket back', async () => {
    const store = await openPg(await freshPgUrl());
    const limit = { rate: 2, burst: 1 };
    const key = randomUUID();
    expect(await store.take(key, limit, T0, 1, false)).toBe(0);
    expect(await store.take(key, limit, T0 - 10_000, 1, false)).toBe(500);
    expect(await store.take(key, limit, T0 + 500, 1, false)).toBe(0);
  });

  it('prune the buckets that are full again, and only those', async () => {
    const store = await openPg(await freshPgUrl());
    const limit = { rate: 1, burst: 3 };
    await store.take('one', limit, T0, 1, false); // full again at T0 + 1 s
    await store.take('debt', limit, T0, 10, true); // at T0 + 10 s
    expect(await store.prune(T0 + 999)).toBe(0);
    expect(await store.prune(T0 + 1000)).toBe(1);
    expect(await store.peek('debt', limit, T0 + 1000, 1)).toBe(7000);
    expect(await store.prune(T0 + 10_000)).toBe(1);
    expect(await store.peek('debt', limit, T0 + 10_000, 3)).toBe(0);
  });
});
