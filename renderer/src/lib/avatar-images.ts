/**
 * Avatar images come from main as bytes (avatars.read) and are shown through blob: URLs, one per avatar and size
 * however many rows show it. A URL no avatar on screen uses is kept a while (a list scrolled back shows it at
 * once) and revoked when more than `keepUnused` are idle, so a long session does not hold every face it met.
 */
import { isApiError, type Api, type AvatarSizeName } from '../../../preload/api-types';

/** Answers that will not change by asking again: such an avatar shows its initials until the session changes. */
const FINAL_ERRORS: ReadonlySet<string> = new Set(['NOT_FOUND', 'BAD_REQUEST', 'TOO_LARGE', 'FORBIDDEN']);

interface Entry {
  url: Promise<string>;
  refs: number;
  failed: boolean;
}

export interface AvatarHold {
  url: Promise<string>;
  release(): void;
}

export class AvatarImages {
  private readonly entries = new Map<string, Entry>();
  /** Keys of loaded entries nobody holds, least recently released first. */
  private readonly idle = new Set<string>();
  /** Keys whose image main refused for good, with the refusal. */
  private readonly refused = new Map<string, unknown>();

  constructor(
    private readonly api: Api,
    private readonly keepUnused = 64,
  ) {}

  acquire(avatar: string, size: AvatarSizeName): AvatarHold {
    const key = `${size}\n${avatar}`;
    if (this.refused.has(key)) {
      const url = Promise.reject(this.refused.get(key));
      url.catch(() => undefined);
      return { url, release: () => undefined };
    }
    let entry = this.entries.get(key);
    if (!entry) {
      const created: Entry = { refs: 0, failed: false, url: Promise.resolve('') };
      created.url = this.api.avatars.read({ avatar, size }).then(
        ({ bytes, mime }) => URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime })),
        (error: unknown) => {
          // Not kept: the next avatar shown asks again (the server may be reachable by then).
          created.failed = true;
          if (isApiError(error) && FINAL_ERRORS.has(error.code)) this.refused.set(key, error);
          if (created.refs === 0 && this.entries.get(key) === created) this.entries.delete(key);
          throw error;
        },
      );
      created.url.catch(() => undefined);
      entry = created;
      this.entries.set(key, entry);
    }
    entry.refs += 1;
    this.idle.delete(key);
    const held = entry;
    let released = false;
    return {
      url: held.url,
      release: () => {
        if (released) return;
        released = true;
        held.refs -= 1;
        if (held.refs > 0 || this.entries.get(key) !== held) return;
        if (held.failed) this.entries.delete(key);
        else this.rest(key);
      },
    };
  }

  /** URLs alive now (held or idle), for tests and diagnostics. */
  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    for (const entry of this.entries.values()) revoke(entry);
    this.entries.clear();
    this.idle.clear();
    this.refused.clear();
  }

  private rest(key: string): void {
    this.idle.add(key);
    while (this.idle.size > this.keepUnused) {
      const oldest = this.idle.values().next().value as string;
      this.idle.delete(oldest);
      const entry = this.entries.get(oldest);
      this.entries.delete(oldest);
      if (entry) revoke(entry);
    }
  }
}

function revoke(entry: Entry): void {
  entry.url.then((url) => URL.revokeObjectURL(url), () => undefined);
}
