/**
 * Rate limits: one token bucket, a bounded set of them by key, and `Throttles`, which keep a limit's buckets either
 * in this node's memory or in the storage every node shares (PostgreSQL), so that a cluster enforces it once.
 */
import { LRUCache } from 'lru-cache';
import type { SharedThrottles } from '../storage/storage.js';

/** A token bucket: `rate` tokens a second, holding at most `burst`. A rate of 0 means unlimited. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /**
   * Takes `cost` tokens (default 1); returns 0 when allowed, else the milliseconds until they are available. With
   * `debt` they are taken anyway (the bucket may go below 0) and the answer is 0.
   */
  take(now = Date.now(), cost = 1, debt = false): number {
    const wait = debt ? 0 : this.peek(now, cost);
    if (this.rate > 0 && (debt || wait === 0)) {
      if (debt) this.refill(now);
      this.tokens -= cost;
    }
    return wait;
  }

  /** The milliseconds until the bucket holds `need` tokens (what `take` would answer), without taking anything. */
  peek(now = Date.now(), need = 1): number {
    if (this.rate <= 0) return 0;
    this.refill(now);
    if (this.tokens >= need) return 0;
    return Math.ceil(((need - this.tokens) / this.rate) * 1000);
  }

  /** Whether the bucket has refilled completely, i.e. it is no different from a new one. */
  isFull(now = Date.now()): boolean {
    if (this.rate <= 0) return true;
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }
}

/**
 * Token buckets by key (a client address, an account…), at most `capacity` of them: the least recently used one
 * is dropped first. A dropped bucket is as good as a full one, so `capacity` must be large enough that nobody can
 * churn through it before a bucket they emptied has refilled anyway (burst / rate seconds); see docs/protocol.md
 * part 2, "Registration and login".
 */
export class KeyedBuckets {
  private readonly buckets: LRUCache<string, TokenBucket>;
  private readonly refillMs: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    capacity: number,
  ) {
    // Past burst / rate seconds untouched a bucket is full again, the same as no bucket.
    this.refillMs = rate > 0 ? Math.ceil((burst / rate) * 1000) : 1000;
    this.buckets = new LRUCache({ max: capacity, ttl: this.refillMs, updateAgeOnGet: true });
  }

  private bucket(key: string, now: number): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(this.rate, this.burst, now);
      this.buckets.set(key, b);
    }
    return b;
  }

  take(key: string, now = Date.now(), cost = 1, debt = false): number {
    const b = this.bucket(key, now);
    const wait = b.take(now, cost, debt);
    // A bucket in debt takes longer than burst / rate to fill: it is kept until it has.
    if (debt && this.rate > 0) this.buckets.set(key, b, { ttl: Math.max(this.refillMs, b.peek(now, this.burst)) });
    return wait;
  }

  /** The wait `take` would answer; a key without a bucket has a full one. */
  peek(key: string, now = Date.now(), need = 1): number {
    return (this.buckets.get(key) ?? new TokenBucket(this.rate, this.burst, now)).peek(now, need);
  }

  delete(key: string): void {
    this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}

/**
 * One limit's token buckets by key: `rate` tokens a second up to `burst` each, a key without a bucket having a full
 * one. Every answer is 0 (allowed) or the milliseconds to wait. A rate of 0 means unlimited.
 */
export interface Throttle {
  /** Takes `cost` tokens (default 1) when the bucket holds them; with `debt` takes them anyway and answers 0. */
  take(key: string, now: number, cost?: number, debt?: boolean): Promise<number>;
  /** The wait until the bucket holds `need` tokens (default 1), taking nothing. */
  peek(key: string, now: number, need?: number): Promise<number>;
  /** Makes the bucket full again. */
  reset(key: string): Promise<void>;
}

/** Makes the throttle of one limit; `name` keeps its keys apart from every other limit's. */
export type Throttles = (name: string, rate: number, burst: number) => Throttle;

/** Buckets a memory throttle keeps at most (a bucket is ~100 bytes); see docs/protocol.md part 2, "Bounded memory". */
export const TRACKED_BUCKETS = 100_000;

/** Throttles in this node's memory (one node, SQLite): each limit a `KeyedBuckets`. */
export const memoryThrottles: Throttles = (_name, rate, burst) => {
  const buckets = new KeyedBuckets(rate, burst, TRACKED_BUCKETS);
  return {
    take: async (key, now, cost, debt) => buckets.take(key, now, cost, debt),
    peek: async (key, now, need) => buckets.peek(key, now, need),
    reset: async (key) => buckets.delete(key),
  };
};

/**
 * Throttles in the storage every node shares (PostgreSQL), so a cluster grants a limit once and not once per node.
 * A failing storage fails the call: the caller's request fails (INTERNAL, retryable) instead of passing unchecked.
 */
export function sharedThrottles(store: SharedThrottles): Throttles {
  return (name, rate, burst) => {
    const limit = { rate, burst };
    const at = (key: string) => `${name}:${key}`;
    return {
      take: async (key, now, cost = 1, debt = false) => (rate > 0 ? store.take(at(key), limit, now, cost, debt) : 0),
      peek: async (key, now, need = 1) => (rate > 0 ? store.peek(at(key), limit, now, need) : 0),
      reset: async (key) => (rate > 0 ? store.reset(at(key)) : undefined),
    };
  };
}
