/**
 * What a user may upload: a number of uploads per minute, a number of bytes per hour (both RATE_LIMITED with
 * retryAfterMs), and a quota of bytes stored (TOO_LARGE). The quota counts stored files plus the user's uploads
 * in progress, so parallel uploads cannot each pass it alone.
 */
import { ProtocolError } from '../../../protocol/index.js';
import type { ServerConfig } from '../config.js';
import type { Storage } from '../storage/storage.js';
import { KeyedBuckets } from './rate-limit.js';

/** Users whose byte budgets are kept before idle (full) ones are dropped. */
const MAX_TRACKED_USERS = 10_000;
/** Users whose upload-count buckets are kept, least recently used dropped first (as for logins). */
const COUNTED_USERS = 100_000;

/** A bucket of bytes that may go into debt: an upload is charged what it really sent, after it ends. */
class ByteBudget {
  private bytes: number;
  private last: number;

  constructor(
    private readonly perHour: number,
    now: number,
  ) {
    this.bytes = perHour;
    this.last = now;
  }

  private refill(now: number): void {
    this.bytes = Math.min(this.perHour, this.bytes + ((now - this.last) * this.perHour) / 3_600_000);
    this.last = now;
  }

  /** 0 when `wanted` bytes (at most a full hour's) may start now, else the milliseconds until they may. */
  waitFor(wanted: number, now: number): number {
    this.refill(now);
    const need = Math.min(Math.max(wanted, 1), this.perHour);
    return this.bytes >= need ? 0 : Math.ceil(((need - this.bytes) * 3_600_000) / this.perHour);
  }

  charge(bytes: number, now: number): void {
    this.refill(now);
    this.bytes -= bytes;
  }

  full(now: number): boolean {
    this.refill(now);
    return this.bytes >= this.perHour;
  }
}

/** One upload admitted: it reports the bytes it receives and ends with `finish` (stored) or `release` (not). */
export interface UploadTicket {
  /** Throws TOO_LARGE when the upload has grown past the user's quota. */
  received(totalBytes: number): void;
  finish(size: number): void;
  release(): void;
}

export class UploadLimits {
  /** Each user's bucket of uploads per minute (dropped once full again, or least recently used past the bound). */
  private readonly counts: KeyedBuckets;
  private readonly budgets = new Map<string, ByteBudget>();
  /** Bytes received so far by each user's uploads in progress. */
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly storage: Storage,
    private readonly config: Pick<ServerConfig, 'fileQuotaBytes' | 'uploadsPerMinute' | 'uploadBytesPerHour'>,
  ) {
    this.counts = new KeyedBuckets(config.uploadsPerMinute / 60, Math.max(1, config.uploadsPerMinute), COUNTED_USERS);
  }

  /** Admits an upload of `declared` bytes (NaN when unknown) or throws RATE_LIMITED / TOO_LARGE. */
  async admit(userId: string, declared: number, now = Date.now()): Promise<UploadTicket> {
    const known = Number.isFinite(declared) ? declared : 0;
    const { uploadsPerMinute, uploadBytesPerHour, fileQuotaBytes } = this.config;
    const budget = uploadBytesPerHour > 0 ? this.budgetOf(userId, now) : null;
    const byteWait = budget?.waitFor(known, now) ?? 0;
    if (byteWait > 0) {
      throw new ProtocolError('RATE_LIMITED', `uploads are limited to ${uploadBytesPerHour} bytes an hour`, { retryAfterMs: byteWait, limit: 'bytes' });
    }
    if (uploadsPerMinute > 0) {
      const wait = this.counts.take(userId, now);
      if (wait > 0) throw new ProtocolError('RATE_LIMITED', `uploads are limited to ${uploadsPerMinute} a minute`, { retryAfterMs: wait, limit: 'uploads' });
    }
    const stored = fileQuotaBytes > 0 ? await this.storage.uploadedBytes(userId) : 0;
    const overQuota = (bytes: number) => fileQuotaBytes > 0 && stored + (this.inFlight.get(userId) ?? 0) + bytes > fileQuotaBytes;
    const quotaError = () =>
      new ProtocolError('TOO_LARGE', `your files may take at most ${fileQuotaBytes} bytes; delete or stop sending some first`, {
        quotaBytes: fileQuotaBytes,
        usedBytes: stored,
      });
    if (overQuota(known)) throw quotaError();

    let counted = 0;
    let open = true;
    const settle = () => {
      if (!open) return;
      open = false;
      const left = (this.inFlight.get(userId) ?? 0) - counted;
      if (left > 0) this.inFlight.set(userId, left);
      else this.inFlight.delete(userId);
    };
    return {
      received: (total) => {
        const grown = total - counted;
        if (overQuota(grown)) throw quotaError();
        counted = total;
        this.inFlight.set(userId, (this.inFlight.get(userId) ?? 0) + grown);
      },
      finish: (size) => {
        settle();
        budget?.charge(size, Date.now());
      },
      release: () => {
        settle();
        // Bytes that came in count against the hourly budget even when the upload failed.
        budget?.charge(counted, Date.now());
      },
    };
  }

  private budgetOf(userId: string, now: number): ByteBudget {
    let budget = this.budgets.get(userId);
    if (!budget) {
      if (this.budgets.size >= MAX_TRACKED_USERS) {
        for (const [id, b] of this.budgets) if (b.full(now)) this.budgets.delete(id);
      }
      budget = new ByteBudget(this.config.uploadBytesPerHour, now);
      this.budgets.set(userId, budget);
    }
    return budget;
  }
}
