/**
 * Which accounts are signed in (and which one the window shows), and this installation's device id, kept in
 * small JSON files in the app's data directory. Tokens may be sealed by the host (Electron's safeStorage);
 * files are owner-only. Before several accounts, one `session.json` held the one session: it is read once,
 * moved into `accounts.json` and removed.
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

/** The saved sessions: every account ever signed in here, the signed-in ones with their token. */
export interface SavedAccounts {
  /** The key (accountKey) of the account the window shows; null when none is signed in. */
  active: string | null;
  /**
   * Signed-in accounts in the order they were added, and signed-out ones (no token), remembered so the
   * sign-in form is prefilled with the last one and each account's data is found again.
   */
  sessions: SavedSession[];
}

/** An account's identity in this app: its user on its server's host (what its data directory is named after). */
export function accountKey(serverUrl: string, userId: string): string {
  return `${userId}@${new URL(serverUrl).host}`;
}

type RawSession = Omit<SavedSession, 'token'> & { sealedToken?: string };

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
  private readonly legacyFile: string;
  private readonly deviceFile: string;

  constructor(
    private readonly dataDir: string,
    private readonly box: SecretBox = plainBox,
  ) {
    ensurePrivateDir(dataDir);
    this.file = path.join(dataDir, 'accounts.json');
    this.legacyFile = path.join(dataDir, 'session.json');
    this.deviceFile = path.join(dataDir, 'device.json');
  }

  loadAll(): SavedAccounts {
    const raw = readJson(this.file) as { active?: unknown; sessions?: unknown } | null;
    if (!raw) return this.migrate();
    const sessions = Array.isArray(raw.sessions) ? raw.sessions.map((r) => this.parse(r)).filter((s) => s !== null) : [];
    const active = typeof raw.active === 'string' && sessions.some((s) => s.token && accountKey(s.serverUrl, s.userId) === raw.active) ? raw.active : null;
    return { active: active ?? firstSignedIn(sessions), sessions };
  }

  saveAll(accounts: SavedAccounts): void {
    const sessions = accounts.sessions.map(({ token, ...rest }) => (token ? { ...rest, sealedToken: this.box.seal(token) } : rest));
    writePrivate(this.file, { active: accounts.active, sessions });
  }

  /** The single session of a version before several accounts, moved into the list (the token stays sealed as it was). */
  private migrate(): SavedAccounts {
    const legacy = this.parse(readJson(this.legacyFile));
    const accounts: SavedAccounts = { active: null, sessions: legacy ? [legacy] : [] };
    accounts.active = firstSignedIn(accounts.sessions);
    if (legacy) {
      this.saveAll(accounts);
      fs.rmSync(this.legacyFile, { force: true });
    }
    return accounts;
  }

  private parse(value: unknown): SavedSession | null {
    const raw = value as RawSession | null;
    if (!raw || typeof raw !== 'object' || typeof raw.serverUrl !== 'string' || typeof raw.userId !== 'string') return null;
    try {
      new URL(raw.serverUrl);
    } catch {
      return null;
    }
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

function firstSignedIn(sessions: readonly SavedSession[]): string | null {
  const first = sessions.find((s) => s.token);
  return first ? accountKey(first.serverUrl, first.userId) : null;
}
