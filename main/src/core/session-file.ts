/**
 * Which account is signed in, and this installation's device id, kept in small JSON files in the app's
 * data directory. The token may be sealed by the host (Electron's safeStorage); files are owner-only.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir } from '../fs/private-files.js';

export interface SavedSession {
  serverUrl: string;
  userId: string;
  name: string;
  /** Absent after sign-out: the account's data stays, so queued messages are not lost. */
  token?: string;
}

/** Seals secrets at rest where the host can (OS keychain); identity elsewhere. */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export const plainBox: SecretBox = { seal: (s) => s, open: (s) => s };

function writePrivate(file: string, data: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(data, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, file); // atomic: a crash leaves the old file or the new one
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

export class SessionFile {
  private readonly file: string;
  private readonly deviceFile: string;

  constructor(
    private readonly dataDir: string,
    private readonly box: SecretBox = plainBox,
  ) {
    ensurePrivateDir(dataDir);
    this.file = path.join(dataDir, 'session.json');
    this.deviceFile = path.join(dataDir, 'device.json');
  }

  load(): SavedSession | null {
    const raw = readJson(this.file) as (Omit<SavedSession, 'token'> & { sealedToken?: string }) | null;
    if (!raw || typeof raw.serverUrl !== 'string' || typeof raw.userId !== 'string') return null;
    const session: SavedSession = { serverUrl: raw.serverUrl, userId: raw.userId, name: String(raw.name ?? raw.userId) };
    if (typeof raw.sealedToken === 'string') {
      try {
        session.token = this.box.open(raw.sealedToken);
      } catch {
        // unreadable (keychain changed): the user signs in again
      }
    }
    return session;
  }

  save(session: SavedSession): void {
    const { token, ...rest } = session;
    writePrivate(this.file, token ? { ...rest, sealedToken: this.box.seal(token) } : rest);
  }

  /** Forgets the token but remembers the server and user, to prefill the sign-in form. */
  signOut(): void {
    const current = this.load();
    if (current) this.save({ serverUrl: current.serverUrl, userId: current.userId, name: current.name });
  }

  deviceId(): string {
    const raw = readJson(this.deviceFile) as { id?: unknown } | null;
    if (raw && typeof raw.id === 'string' && /^[A-Za-z0-9_.@-]{1,64}$/.test(raw.id)) return raw.id;
    const id = `d-${randomUUID()}`;
    writePrivate(this.deviceFile, { id });
    return id;
  }

  /** Each account has its own directory (database, outbox files, file cache). */
  accountDir(serverUrl: string, userId: string): string {
    const host = new URL(serverUrl).host.replace(/[^A-Za-z0-9_.-]/g, '_');
    const dir = path.join(this.dataDir, 'accounts', `${userId}@${host}`);
    ensurePrivateDir(path.join(this.dataDir, 'accounts'));
    ensurePrivateDir(dir);
    return dir;
  }
}
