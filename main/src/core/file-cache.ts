/**
 * An account's file cache on disk: `<fileId>` holds the bytes and `<fileId>.mime` the type the server recorded.
 * It is bounded in bytes and drops the least recently used files beyond the bound. The window holds what it
 * shows in memory (blob: URLs), so a file dropped here is only downloaded again the next time it is asked for.
 * Use is tracked in memory while the app runs and in the files' mtimes across restarts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PRIVATE_FILE_MODE, ensurePrivateDir } from '../fs/private-files.js';
import type { FileRecord } from './http-client.js';

/** Bytes an account's file cache may hold. */
export const FILE_CACHE_MAX_BYTES = 512 * 1024 * 1024;

const MIME_SUFFIX = '.mime';
const MAX_KNOWN_RECORDS = 5000;

export class FileCache {
  /** Least recently used first. */
  private readonly entries = new Map<string, FileRecord>();
  /** Records of files whose bytes were not wanted (not on disk), so a file card does not ask the server each time. */
  private readonly known = new Map<string, FileRecord>();
  private bytes = 0;

  constructor(
    readonly dir: string,
    private readonly maxBytes = FILE_CACHE_MAX_BYTES,
  ) {
    ensurePrivateDir(dir);
    this.load();
  }

  /** Bytes held. */
  get size(): number {
    return this.bytes;
  }

  has(fileId: string): boolean {
    return this.entries.has(fileId);
  }

  /** The server's record of a file, cached or only remembered (then marking a cached one used); null when unknown. */
  record(fileId: string): FileRecord | null {
    const entry = this.entries.get(fileId);
    if (!entry) return this.known.get(fileId) ?? null;
    this.touch(fileId, entry);
    return entry;
  }

  /** Remembers, in memory only, the record of a file whose bytes were not loaded. */
  remember(fileId: string, record: FileRecord): void {
    this.known.delete(fileId);
    this.known.set(fileId, record);
    if (this.known.size > MAX_KNOWN_RECORDS) this.known.delete(this.known.keys().next().value as string);
  }

  /** A cached file's bytes, marking it used; null when not cached (or gone from disk meanwhile). */
  async read(fileId: string): Promise<Uint8Array | null> {
    const entry = this.entries.get(fileId);
    if (!entry) return null;
    this.touch(fileId, entry);
    try {
      return new Uint8Array(await fs.promises.readFile(this.pathOf(fileId)));
    } catch {
      this.forget(fileId);
      return null;
    }
  }

  /** Keeps downloaded bytes under the server's type, then makes room. */
  async put(fileId: string, data: Uint8Array, mime: string): Promise<void> {
    await fs.promises.writeFile(this.pathOf(fileId), data, { mode: PRIVATE_FILE_MODE });
    await this.recordAdded(fileId, { mime, size: data.byteLength });
  }

  /** Moves a file in (the user's own upload, under the type the server recorded), then makes room. */
  async adopt(fileId: string, from: string, mime: string): Promise<void> {
    await fs.promises.rename(from, this.pathOf(fileId));
    const { size } = await fs.promises.stat(this.pathOf(fileId));
    await this.recordAdded(fileId, { mime, size });
  }

  private async recordAdded(fileId: string, record: FileRecord): Promise<void> {
    this.known.delete(fileId);
    await fs.promises.writeFile(this.pathOf(fileId) + MIME_SUFFIX, record.mime, { mode: PRIVATE_FILE_MODE });
    const previous = this.entries.get(fileId);
    if (previous) this.bytes -= previous.size;
    this.entries.delete(fileId);
    this.entries.set(fileId, record);
    this.bytes += record.size;
    this.evict(fileId);
  }

  private touch(fileId: string, entry: FileRecord): void {
    this.entries.delete(fileId);
    this.entries.set(fileId, entry);
    const now = new Date();
    fs.promises.utimes(this.pathOf(fileId), now, now).catch(() => undefined);
  }

  /** Drops the least recently used files until the cache fits, never `keep` (the file just added). */
  private evict(keep: string): void {
    for (const fileId of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) return;
      if (fileId !== keep) this.remove(fileId);
    }
  }

  private remove(fileId: string): void {
    this.forget(fileId);
    fs.rmSync(this.pathOf(fileId), { force: true });
    fs.rmSync(this.pathOf(fileId) + MIME_SUFFIX, { force: true });
  }

  private forget(fileId: string): void {
    const entry = this.entries.get(fileId);
    if (!entry) return;
    this.entries.delete(fileId);
    this.bytes -= entry.size;
  }

  private pathOf(fileId: string): string {
    return path.join(this.dir, fileId);
  }

  /** Reads what an earlier run left, oldest use first; a half-written pair is removed. */
  private load(): void {
    const names = new Set(fs.readdirSync(this.dir));
    const found: Array<{ fileId: string; record: FileRecord; usedAt: number }> = [];
    for (const name of names) {
      if (name.endsWith(MIME_SUFFIX)) {
        if (!names.has(name.slice(0, -MIME_SUFFIX.length))) fs.rmSync(path.join(this.dir, name), { force: true });
        continue;
      }
      const file = path.join(this.dir, name);
      try {
        const stat = fs.statSync(file);
        if (!stat.isFile()) continue;
        if (!names.has(name + MIME_SUFFIX)) {
          fs.rmSync(file, { force: true });
          continue;
        }
        const mime = fs.readFileSync(file + MIME_SUFFIX, 'utf8').trim();
        found.push({ fileId: name, record: { mime, size: stat.size }, usedAt: stat.mtimeMs });
      } catch {
        // Gone meanwhile, or unreadable: it will be downloaded again when needed.
      }
    }
    found.sort((a, b) => a.usedAt - b.usedAt);
    for (const { fileId, record } of found) {
      this.entries.set(fileId, record);
      this.bytes += record.size;
    }
    const newest = found.at(-1)?.fileId;
    if (newest) this.evict(newest);
  }
}
