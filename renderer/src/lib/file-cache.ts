/**
 * Files the renderer shows (image thumbnails, voice, downloads) come from main as bytes (files.read) and are
 * shown through blob: URLs. They are cached by fileId, a few hundred at most; evicted URLs are revoked so a
 * long session does not keep every image it ever showed in memory.
 */
import { safeFileName } from '../../../protocol/pure.js';
import type { Api, FileView, FileWant } from '../../../preload/api-types';

/** What the server recorded of a file: its type and size (a message body's claims are not used for decisions). */
export interface FileRecord {
  mime: string;
  size: number;
}

export interface LoadedFile extends FileRecord {
  url: string;
}

/** A preview: loaded (`url`), or only the record when the file is not an image or too large to load by itself. */
export type FilePreview = LoadedFile | (FileRecord & { url: null });

export class FileCache {
  private entries = new Map<string, Promise<LoadedFile>>();
  /** Records of files whose bytes were not loaded, by fileId. */
  private records = new Map<string, Promise<FileRecord>>();
  /** Previews being asked for, so a row shown twice asks once. */
  private previews = new Map<string, Promise<FilePreview>>();

  constructor(
    private readonly api: Api,
    private readonly max = 200,
  ) {}

  /** The file's bytes (to show or save). */
  get(convId: string, fileId: string): Promise<LoadedFile> {
    const hit = this.hit(fileId);
    if (hit) return hit;
    return this.keep(fileId, this.read(convId, fileId, 'bytes').then((f) => this.loaded(f)));
  }

  /** The bytes of an image small enough to show by itself (main decides from the server's record), else the record. */
  preview(convId: string, fileId: string): Promise<FilePreview> {
    // A record alone is not enough: main decides (and remembers) whether the bytes come with it.
    const hit = this.hit(fileId) ?? this.previews.get(fileId);
    if (hit) return hit;
    const loading = this.read(convId, fileId, 'preview').then((f): Promise<FilePreview> | FilePreview => {
      if (f.data) return this.keep(fileId, Promise.resolve(this.loaded(f)));
      return { mime: f.mime, size: f.size, url: null };
    });
    this.previews.set(fileId, loading);
    loading.finally(() => this.previews.delete(fileId)).catch(() => undefined);
    return loading;
  }

  /** The server's record of the file, without loading its bytes. */
  info(convId: string, fileId: string): Promise<FileRecord> {
    const hit = this.hit(fileId) ?? this.records.get(fileId);
    if (hit) return hit.then(({ mime, size }) => ({ mime, size }));
    const loading = this.read(convId, fileId, 'info').then(({ mime, size }) => ({ mime, size }));
    this.records.set(fileId, loading);
    loading.catch(() => this.records.delete(fileId));
    this.trim(this.records);
    return loading;
  }

  clear(): void {
    for (const entry of this.entries.values()) entry.then((f) => URL.revokeObjectURL(f.url), () => undefined);
    this.entries.clear();
    this.records.clear();
  }

  private read(convId: string, fileId: string, want: FileWant): Promise<FileView> {
    return this.api.files.read({ convId, fileId, want });
  }

  private loaded(f: FileView): LoadedFile {
    return {
      url: URL.createObjectURL(new Blob([f.data as Uint8Array<ArrayBuffer>], { type: f.mime })),
      mime: f.mime,
      size: f.size,
    };
  }

  private hit(fileId: string): Promise<LoadedFile> | undefined {
    const hit = this.entries.get(fileId);
    if (hit) {
      // Most recently used goes last, so eviction takes the oldest.
      this.entries.delete(fileId);
      this.entries.set(fileId, hit);
    }
    return hit;
  }

  private keep(fileId: string, loading: Promise<LoadedFile>): Promise<LoadedFile> {
    loading.catch(() => this.entries.delete(fileId));
    this.entries.set(fileId, loading);
    this.evict();
    return loading;
  }

  private trim(map: Map<string, unknown>): void {
    while (map.size > this.max * 5) map.delete(map.keys().next().value as string);
  }

  private evict(): void {
    while (this.entries.size > this.max) {
      const [oldest, entry] = this.entries.entries().next().value as [string, Promise<LoadedFile>];
      this.entries.delete(oldest);
      entry.then((f) => URL.revokeObjectURL(f.url), () => undefined);
    }
  }
}

/** Saves through the browser's download path (Electron asks main where to put it), under a name safe to save. */
export function downloadUrl(url: string, name: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = safeFileName(name);
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
}
