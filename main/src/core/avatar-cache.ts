/**
 * An account's avatar images on disk, bounded like its file cache (least recently used dropped first), keyed by
 * a hash of the avatar value and size. An uploaded avatar's path names one image for good (a new upload gets a new
 * path), so nothing expires; a list of a hundred people asks for each image once, however many rows show it.
 */
import { createHash } from 'node:crypto';
import type { AvatarSizeName } from '../../../protocol/index.js';
import { FileCache } from './file-cache.js';

/** Bytes an account's avatar cache may hold: thousands of 96 px images, or a few hundred 512 px ones. */
export const AVATAR_CACHE_MAX_BYTES = 32 * 1024 * 1024;

export type AvatarFetcher = (avatar: string, size: AvatarSizeName) => Promise<{ bytes: Uint8Array; mime: string }>;

export class AvatarCache {
  private readonly files: FileCache;
  private readonly loading = new Map<string, Promise<{ bytes: Uint8Array; mime: string }>>();

  constructor(
    dir: string,
    private readonly fetcher: AvatarFetcher,
    maxBytes = AVATAR_CACHE_MAX_BYTES,
  ) {
    this.files = new FileCache(dir, maxBytes);
  }

  /** Bytes held on disk. */
  get size(): number {
    return this.files.size;
  }

  async read(avatar: string, size: AvatarSizeName): Promise<{ bytes: Uint8Array; mime: string }> {
    const key = createHash('sha256').update(`${size}\n${avatar}`).digest('hex');
    const record = this.files.record(key);
    if (record) {
      const bytes = await this.files.read(key);
      if (bytes) return { bytes, mime: record.mime };
    }
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.fetcher(avatar, size).then(async (image) => {
        await this.files.put(key, image.bytes, image.mime).catch(() => undefined);
        return image;
      });
      this.loading.set(key, pending);
      pending.finally(() => this.loading.delete(key)).catch(() => undefined);
    }
    return pending;
  }
}
