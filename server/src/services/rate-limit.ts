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
    if (this.rate <= 0) return 0;
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
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
