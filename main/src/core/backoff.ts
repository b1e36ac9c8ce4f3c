/** Jittered exponential backoff ("full jitter"): a random delay up to min(cap, base·2^attempt). */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  constructor(private readonly options: BackoffOptions) {}

  next(): number {
    const ceiling = Math.min(this.options.capMs, this.options.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    const r = (this.options.random ?? Math.random)();
    // Never below a small floor, so a flapping server is not hammered.
    return Math.max(Math.round(ceiling * r), Math.min(this.options.baseMs, ceiling) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
