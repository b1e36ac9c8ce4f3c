/**
 * Bounds the password hashing running at once. scrypt runs on libuv's thread pool (4 threads, shared with file
 * I/O and DNS), so an unbounded flood of registrations or logins queued there delays every other use of it; here
 * at most `concurrency` run, at most `queueLimit` wait, and anything beyond is refused at once with RATE_LIMITED.
 */
import { ProtocolError } from '../../../protocol/index.js';

export interface HashingPoolOptions {
  concurrency: number;
  queueLimit: number;
}

export class HashingPool {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly options: HashingPoolOptions) {}

  /**
   * Runs `task` when a slot is free. `share` (0–1] is the part of the queue this call may wait in: registrations
   * use half, so a flood of them always leaves room for logins.
   */
  async run<T>(task: () => Promise<T>, share = 1): Promise<T> {
    if (this.running < this.options.concurrency) {
      this.running++;
    } else {
      const { queueLimit } = this.options;
      const limit = queueLimit === 0 ? 0 : Math.max(1, Math.floor(queueLimit * share));
      if (this.waiting.length >= limit) {
        throw new ProtocolError('RATE_LIMITED', 'the server is busy checking passwords: try again in a moment', { retryAfterMs: 1000 });
      }
      // The slot is handed over by the task that frees it (running stays the same).
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
