/**
 * What a user may upload: a number of uploads per minute, a number of bytes per hour (both RATE_LIMITED with
 * retryAfterMs), and a quota of bytes stored (TOO_LARGE). The quota counts stored files plus the user's uploads
 * in progress, so parallel uploads cannot each pass it alone.
 */
import { ProtocolError } from '../../../protocol/index.js';
import type { ServerConfig } from '../config.js';
import type { Storage } from '../storage/storage.js';
import { memoryThrottles, type Throttle, type Throttles } from './rate-limit.js';

/** One upload admitted: it reports the bytes it receives and ends with `finish` (stored) or `release` (not). */
export interface UploadTicket {
  /** Throws TOO_LARGE when the upload has grown past the user's quota. */
  received(totalBytes: number): void;
  finish(size: number): Promise<void>;
  release(): Promise<void>;
}

export class UploadLimits {
  /** Each user's bucket of uploads per minute. */
  private readonly counts: Throttle;
  /** Each user's bucket of bytes per hour, which may go into debt: an upload is charged what it sent, after it ends. */
  private readonly bytes: Throttle;
  /** Bytes received so far by each user's uploads in progress. */
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly storage: Storage,
    private readonly config: Pick<ServerConfig, 'fileQuotaBytes' | 'uploadsPerMinute' | 'uploadBytesPerHour'>,
    /** Where the buckets are kept: this node's memory, or the storage a cluster shares. */
    throttles: Throttles = memoryThrottles,
  ) {
    this.counts = throttles('uploads', config.uploadsPerMinute / 60, Math.max(1, config.uploadsPerMinute));
    this.bytes = throttles('upload.bytes', config.uploadBytesPerHour / 3600, Math.max(1, config.uploadBytesPerHour));
  }

  /** Admits an upload of `declared` bytes (NaN when unknown) or throws RATE_LIMITED / TOO_LARGE. */
  async admit(userId: string, declared: number, now = Date.now()): Promise<UploadTicket> {
    const known = Number.isFinite(declared) ? declared : 0;
    const { uploadsPerMinute, uploadBytesPerHour, fileQuotaBytes } = this.config;
    // At most a full hour's bytes are asked for, so a declared size larger than that may start on a full bucket.
    const byteWait = uploadBytesPerHour > 0 ? await this.bytes.peek(userId, now, Math.min(Math.max(known, 1), uploadBytesPerHour)) : 0;
    if (byteWait > 0) {
      throw new ProtocolError('RATE_LIMITED', `uploads are limited to ${uploadBytesPerHour} bytes an hour`, { retryAfterMs: byteWait, limit: 'bytes' });
    }
    if (uploadsPerMinute > 0) {
      const wait = await this.counts.take(userId, now);
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

    // A charge the storage fails to record is lost rather than failing an upload that is already stored.
    const charge = async (bytes: number) => {
      if (uploadBytesPerHour > 0 && bytes > 0) await this.bytes.take(userId, Date.now(), bytes, true).catch(() => undefined);
    };
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
      finish: async (size) => {
        settle();
        await charge(size);
      },
      release: async () => {
        settle();
        // Bytes that came in count against the hourly budget even when the upload failed.
        await charge(counted);
      },
    };
  }
}
