/**
 * How many members have read one's own group messages (group.readCount), for the rows on screen: one cache per
 * model, by conversation and seq. A row asks when it appears and every 15 s while it stays; an answer younger
 * than that is reused, a request under way is shared, and a failure just leaves the last answer (it is a
 * nicety: the next round asks again).
 */
import { groupIdOf } from '../../../protocol/pure.js';
import { useEffect, useSyncExternalStore } from 'react';
import type { Api } from '../../../preload/api-types';

export const READ_COUNT_REFRESH_MS = 15_000;

export interface ReadCount {
  count: number;
  total: number;
}

interface Entry {
  value: ReadCount | null;
  fetchedAt: number;
  inFlight: boolean;
  listeners: Set<() => void>;
}

export class ReadCounts {
  private entries = new Map<string, Entry>();

  constructor(
    private readonly api: Pick<Api, 'group'>,
    private readonly now: () => number = Date.now,
  ) {}

  get(convId: string, seq: number): ReadCount | null {
    return this.entries.get(key(convId, seq))?.value ?? null;
  }

  subscribe(convId: string, seq: number, listener: () => void): () => void {
    const entry = this.entry(convId, seq);
    entry.listeners.add(listener);
    return () => entry.listeners.delete(listener);
  }

  /** Fetches unless an answer is fresh (`force`: unless one is on its way). */
  refresh(convId: string, seq: number, force = false): void {
    const entry = this.entry(convId, seq);
    if (entry.inFlight) return;
    // Fresh means asked within the last round, less a second: the round's own timer must not find its
    // previous answer (which arrived a moment after it was asked) still fresh and skip.
    if (!force && entry.fetchedAt > 0 && this.now() - entry.fetchedAt < READ_COUNT_REFRESH_MS - 1000) return;
    entry.inFlight = true;
    entry.fetchedAt = this.now();
    this.api.group.readCount({ groupId: groupIdOf(convId) ?? '', seq }).then(
      (value) => {
        entry.inFlight = false;
        if (entry.value?.count === value.count && entry.value.total === value.total) return;
        entry.value = { count: value.count, total: value.total };
        for (const listener of [...entry.listeners]) listener();
      },
      () => {
        entry.inFlight = false;
      },
    );
  }

  /**
   * Something new happened in the conversation (another member wrote, so they read what came before): ask
   * again now for the rows on screen rather than at their next 15 s round.
   */
  refreshConversation(convId: string): void {
    const prefix = `${convId}#`;
    for (const [k, entry] of this.entries) {
      if (k.startsWith(prefix) && entry.listeners.size > 0) this.refresh(convId, Number(k.slice(prefix.length)), true);
    }
  }

  private entry(convId: string, seq: number): Entry {
    const k = key(convId, seq);
    let entry = this.entries.get(k);
    if (!entry) this.entries.set(k, (entry = { value: null, fetchedAt: 0, inFlight: false, listeners: new Set() }));
    return entry;
  }
}

function key(convId: string, seq: number): string {
  return `${convId}#${seq}`;
}

const caches = new WeakMap<object, ReadCounts>();

/** The cache of this api (one per signed-in window; tests get a fresh one with each fake). */
export function readCountsFor(api: Pick<Api, 'group'>): ReadCounts {
  let cache = caches.get(api);
  if (!cache) caches.set(api, (cache = new ReadCounts(api)));
  return cache;
}

/** The read count of a row while it is mounted (on screen), refreshed every 15 s; `refresh` asks now. */
export function useReadCount(cache: ReadCounts, convId: string, seq: number): { value: ReadCount | null; refresh: () => void } {
  const value = useSyncExternalStore(
    (listener) => cache.subscribe(convId, seq, listener),
    () => cache.get(convId, seq),
  );
  useEffect(() => {
    cache.refresh(convId, seq);
    const timer = setInterval(() => cache.refresh(convId, seq), READ_COUNT_REFRESH_MS);
    return () => clearInterval(timer);
  }, [cache, convId, seq]);
  return { value, refresh: () => cache.refresh(convId, seq, true) };
}
