/**
 * Files the renderer shows (image thumbnails, voice, downloads) come from main as bytes (files.read) and are
 * shown through blob: URLs. They are cached by fileId, a few hundred at most; evicted URLs are revoked so a
 * long session does not keep every image it ever showed in memory.
 */
import type { Api } from '../../../preload/api-types';

export interface LoadedFile {
  url: string;
  mime: string;
}

export class FileCache {
  private entries = new Map<string, Promise<LoadedFile>>();

  constructor(
    private readonly api: Api,
    private readonly max = 200,
  ) {}

  get(convId: string, fileId: string): Promise<LoadedFile> {
    const hit = this.entries.get(fileId);
    if (hit) {
      // Most recently used goes last, so eviction takes the oldest.
      this.entries.delete(fileId);
      this.entries.set(fileId, hit);
      return hit;
    }
    const loading = this.api.files.read({ convId, fileId }).then(({ data, mime }) => ({
      url: URL.createObjectURL(new Blob([data as Uint8Array<ArrayBuffer>], { type: mime })),
      mime,
    }));
    loading.catch(() => this.entries.delete(fileId));
    this.entries.set(fileId, loading);
    this.evict();
    return loading;
  }

  clear(): void {
    for (const entry of this.entries.values()) entry.then((f) => URL.revokeObjectURL(f.url), () => undefined);
    this.entries.clear();
  }

  private evict(): void {
    while (this.entries.size > this.max) {
      const [oldest, entry] = this.entries.entries().next().value as [string, Promise<LoadedFile>];
      this.entries.delete(oldest);
      entry.then((f) => URL.revokeObjectURL(f.url), () => undefined);
    }
  }
}

/** Saves through the browser's download path (Electron asks main where to put it). */
export function downloadUrl(url: string, name: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
}
