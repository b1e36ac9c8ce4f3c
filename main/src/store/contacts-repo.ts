/**
 * The local copy of the user's contacts: the state the server's contact log carries, the seq it reached, and the
 * profiles of the people listed (see migrations/007-contacts.ts).
 */
import type Database from 'better-sqlite3';
import type { Contact, ContactEntry, ContactRequest, UserInfo } from '../../../protocol/index.js';

export interface ContactsSnapshot {
  contacts: Contact[];
  requests: ContactRequest[];
  lastSeq: number;
}

/** What is known locally of a listed user (their profile as `users.get` last answered). */
export type KnownUser = UserInfo;

interface ContactRow {
  user_id: string;
  remark: string;
  tags: string;
  since: number;
}
interface RequestRow {
  user_id: string;
  direction: 'in' | 'out';
  message: string;
  ts: number;
}
interface UserRow {
  user_id: string;
  name: string;
  avatar: string | null;
  status: string | null;
  online: number;
  last_seen: number;
}

function parseTags(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

export class ContactsRepo {
  private readonly selectContacts: Database.Statement<[]>;
  private readonly selectRequests: Database.Statement<[]>;
  private readonly selectUsers: Database.Statement<[]>;
  private readonly selectSeq: Database.Statement<[]>;
  private readonly setSeq: Database.Statement<[number]>;
  private readonly upsertContact: Database.Statement<[string, string, string, number]>;
  private readonly deleteContact: Database.Statement<[string]>;
  private readonly upsertRequest: Database.Statement<[string, string, string, number]>;
  private readonly deleteRequest: Database.Statement<[string]>;
  private readonly upsertUser: Database.Statement<[string, string, string | null, string | null, number, number]>;
  private readonly updatePresence: Database.Statement<[number, number, string]>;
  private readonly pruneUsers: Database.Statement<[]>;

  constructor(private readonly db: Database.Database) {
    this.selectContacts = db.prepare('SELECT user_id, remark, tags, since FROM contacts ORDER BY user_id');
    this.selectRequests = db.prepare('SELECT user_id, direction, message, ts FROM contact_requests ORDER BY ts DESC, user_id');
    this.selectUsers = db.prepare(
      `SELECT user_id, name, avatar, status, online, last_seen FROM contact_users
       WHERE user_id IN (SELECT user_id FROM contacts UNION SELECT user_id FROM contact_requests)`,
    );
    this.selectSeq = db.prepare('SELECT last_seq FROM contact_log WHERE id = 1').pluck();
    this.setSeq = db.prepare('UPDATE contact_log SET last_seq = ? WHERE id = 1');
    this.upsertContact = db.prepare(
      `INSERT INTO contacts (user_id, remark, tags, since) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET remark = excluded.remark, tags = excluded.tags, since = excluded.since`,
    );
    this.deleteContact = db.prepare('DELETE FROM contacts WHERE user_id = ?');
    this.upsertRequest = db.prepare(
      `INSERT INTO contact_requests (user_id, direction, message, ts) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET direction = excluded.direction, message = excluded.message, ts = excluded.ts`,
    );
    this.deleteRequest = db.prepare('DELETE FROM contact_requests WHERE user_id = ?');
    this.upsertUser = db.prepare(
      `INSERT INTO contact_users (user_id, name, avatar, status, online, last_seen) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, avatar = excluded.avatar, status = excluded.status,
         online = excluded.online, last_seen = excluded.last_seen`,
    );
    this.updatePresence = db.prepare('UPDATE contact_users SET online = ?, last_seen = ? WHERE user_id = ?');
    // Profiles of people no longer listed are not kept (they would only be stale).
    this.pruneUsers = db.prepare(
      'DELETE FROM contact_users WHERE user_id NOT IN (SELECT user_id FROM contacts UNION SELECT user_id FROM contact_requests)',
    );
  }

  lastSeq(): number {
    return this.selectSeq.get() as number;
  }

  snapshot(): ContactsSnapshot {
    return {
      contacts: (this.selectContacts.all() as ContactRow[]).map((r) => ({ userId: r.user_id, remark: r.remark, tags: parseTags(r.tags), since: r.since })),
      requests: (this.selectRequests.all() as RequestRow[]).map((r) => ({ userId: r.user_id, direction: r.direction, message: r.message, ts: r.ts })),
      lastSeq: this.lastSeq(),
    };
  }

  /** Profiles held for the users listed as contacts or requests. */
  users(): Map<string, KnownUser> {
    const byId = new Map<string, KnownUser>();
    for (const r of this.selectUsers.all() as UserRow[]) {
      const user: KnownUser = { userId: r.user_id, name: r.name, online: r.online === 1, lastSeen: r.last_seen };
      if (r.avatar !== null) user.avatar = r.avatar;
      if (r.status !== null) user.status = r.status;
      byId.set(r.user_id, user);
    }
    return byId;
  }

  /** Replaces everything with the server's list (a first start, or a log the server no longer holds). */
  replace(snapshot: ContactsSnapshot): void {
    this.db.transaction(() => {
      this.db.exec('DELETE FROM contacts; DELETE FROM contact_requests;');
      for (const c of snapshot.contacts) this.putContact(c);
      for (const r of snapshot.requests) this.putRequest(r);
      this.setSeq.run(snapshot.lastSeq);
      this.pruneUsers.run();
    })();
  }

  /**
   * Applies log entries in seq order: each one's state replaces the other user's. Entries already applied are
   * skipped; the first one past a gap stops it. Returns how many were applied and whether a gap was met.
   */
  apply(entries: readonly ContactEntry[]): { applied: number; gap: boolean } {
    return this.db.transaction(() => {
      let seq = this.lastSeq();
      let applied = 0;
      for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
        if (entry.seq <= seq) continue;
        if (entry.seq !== seq + 1) {
          this.setSeq.run(seq);
          return { applied, gap: true };
        }
        if (entry.contact) this.putContact(entry.contact);
        else this.deleteContact.run(entry.userId);
        if (entry.request) this.putRequest(entry.request);
        else this.deleteRequest.run(entry.userId);
        seq = entry.seq;
        applied += 1;
      }
      this.setSeq.run(seq);
      if (applied > 0) this.pruneUsers.run();
      return { applied, gap: false };
    })();
  }

  rememberUsers(users: readonly UserInfo[]): void {
    this.db.transaction(() => {
      for (const u of users) this.upsertUser.run(u.userId, u.name, u.avatar ?? null, u.status ?? null, u.online ? 1 : 0, u.lastSeen);
    })();
  }

  /** True when the user is one whose profile is kept here. */
  setPresence(userId: string, online: boolean, lastSeen: number): boolean {
    return this.updatePresence.run(online ? 1 : 0, lastSeen, userId).changes > 0;
  }

  private putContact(c: Contact): void {
    this.upsertContact.run(c.userId, c.remark, JSON.stringify(c.tags), c.since);
  }

  private putRequest(r: ContactRequest): void {
    this.upsertRequest.run(r.userId, r.direction, r.message, r.ts);
  }
}
