/** Rate limits: one token bucket, and a bounded set of them by key. */
import { LRUCache } from 'lru-cache';

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

  /** Takes a token; returns 0 when allowed, else the milliseconds until one is available. */
  take(now = Date.now()): number {
    const wait = this.peek(now);
    if (wait === 0 && this.rate > 0) this.tokens -= 1;
    return wait;
  }

  /** What `take` would answer, without taking anything. */
  peek(now = Date.now()): number {
    if (this.rate <= 0) return 0;
    this.refill(now);
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000);
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

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    capacity: number,
  ) {
    // Past burst / rate seconds untouched a bucket is full again, the same as no bucket.
    const refillMs = rate > 0 ? Math.ceil((burst / rate) * 1000) : 1000;
    this.buckets = new LRUCache({ max: capacity, ttl: refillMs, updateAgeOnGet: true });
  }

  private bucket(key: string, now: number): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(this.rate, this.burst, now);
      this.buckets.set(key, b);
    }
    return b;
  }

  take(key: string, now = Date.now()): number {
    return this.bucket(key, now).take(now);
  }

  /** The wait `take` would answer; a key without a bucket has a full one. */
  peek(key: string, now = Date.now()): number {
    return this.buckets.get(key)?.peek(now) ?? 0;
  }

  delete(key: string): void {
    this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}
