/**
 * The SQLite storage's contacts (Storage.changeContacts and its readers; the tables of migration 8). One connection
 * writes at a time, and a better-sqlite3 transaction runs without yielding, so a change is read, decided and
 * numbered with no other change in between.
 */
import type { Database } from 'better-sqlite3';
import type { Contact, ContactEntry, ContactRequest } from '../../../../protocol/index.js';
import {
  NOT_IGNORED,
  applyWrites,
  plannedEntries,
  toContact,
  toContactEntry,
  type ContactDecision,
  type ContactPair,
  type ContactRow,
  type ContactWrite,
  type LogRow,
  type PendingRequest,
  type RequestRow,
} from '../contact-state.js';

export class SqliteContacts {
  private readonly stmt;

  constructor(private readonly db: Database) {
    this.stmt = {
      contact: db.prepare<[string, string], ContactRow>('SELECT contact_id, remark, tags, since FROM contacts WHERE user_id = ? AND contact_id = ?'),
      contacts: db.prepare<[string], ContactRow>('SELECT contact_id, remark, tags, since FROM contacts WHERE user_id = ? ORDER BY contact_id'),
      putContact: db.prepare(
        `INSERT INTO contacts (user_id, contact_id, remark, tags, since) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (user_id, contact_id) DO UPDATE SET remark = excluded.remark, tags = excluded.tags, since = excluded.since`,
      ),
      deleteContact: db.prepare('DELETE FROM contacts WHERE user_id = ? AND contact_id = ?'),
      request: db.prepare<[string, string], RequestRow>('SELECT * FROM contact_requests WHERE from_id = ? AND to_id = ?'),
      requestsOf: db.prepare<[string, string], RequestRow>(
        `SELECT * FROM contact_requests r WHERE r.from_id = ? OR (r.to_id = ? AND ${NOT_IGNORED}) ORDER BY r.ts, r.from_id, r.to_id`,
      ),
      incoming: db.prepare<[string], { n: number }>(`SELECT COUNT(*) AS n FROM contact_requests r WHERE r.to_id = ? AND ${NOT_IGNORED}`),
      putRequest: db.prepare(
        `INSERT INTO contact_requests (from_id, to_id, message, ts) VALUES (?, ?, ?, ?)
         ON CONFLICT (from_id, to_id) DO UPDATE SET message = excluded.message, ts = excluded.ts`,
      ),
      deleteRequest: db.prepare('DELETE FROM contact_requests WHERE from_id = ? AND to_id = ?'),
      ignoring: db.prepare<[string, string], { n: number }>('SELECT 1 AS n FROM contact_ignores WHERE user_id = ? AND ignored_id = ?'),
      ignore: db.prepare('INSERT INTO contact_ignores (user_id, ignored_id) VALUES (?, ?) ON CONFLICT DO NOTHING'),
      unignore: db.prepare('DELETE FROM contact_ignores WHERE user_id = ? AND ignored_id = ?'),
      nextSeq: db.prepare<[string], { last_seq: number }>(
        `INSERT INTO contact_seqs (user_id, last_seq) VALUES (?, 1)
         ON CONFLICT (user_id) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq`,
      ),
      lastSeq: db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM contact_seqs WHERE user_id = ?'),
      insertLog: db.prepare('INSERT INTO contact_log (user_id, seq, other_id, event, ts, contact, request) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      log: db.prepare<[string, number, number], LogRow>(
        'SELECT seq, other_id, event, ts, contact, request FROM contact_log WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
    };
  }

  private pendingRequest(from: string, to: string): PendingRequest | null {
    const row = this.stmt.request.get(from, to);
    return row ? { message: row.message, ts: row.ts } : null;
  }

  private readPair(a: string, b: string): ContactPair {
    const ab = this.stmt.contact.get(a, b);
    const ba = this.stmt.contact.get(b, a);
    return {
      contacts: { [a]: ab ? toContact(ab) : null, [b]: ba ? toContact(ba) : null },
      requests: { [a]: this.pendingRequest(a, b), [b]: this.pendingRequest(b, a) },
      ignoring: { [a]: this.stmt.ignoring.get(a, b) !== undefined, [b]: this.stmt.ignoring.get(b, a) !== undefined },
      incoming: { [a]: this.stmt.incoming.get(a)!.n, [b]: this.stmt.incoming.get(b)!.n },
    };
  }

  private write(w: ContactWrite): void {
    if (w.kind === 'contact') {
      if (w.contact) this.stmt.putContact.run(w.owner, w.other, w.contact.remark, JSON.stringify(w.contact.tags), w.contact.since);
      else this.stmt.deleteContact.run(w.owner, w.other);
    } else if (w.kind === 'request') {
      if (w.request) this.stmt.putRequest.run(w.from, w.to, w.request.message, w.request.ts);
      else this.stmt.deleteRequest.run(w.from, w.to);
    } else if (w.ignoring) {
      this.stmt.ignore.run(w.user, w.other);
    } else {
      this.stmt.unignore.run(w.user, w.other);
    }
  }

  change<T>(a: string, b: string, decide: ContactDecision<T>, now: number): { result: T; entries: Array<{ userId: string; entry: ContactEntry }> } {
    return this.db.transaction(() => {
      const pair = this.readPair(a, b);
      const plan = decide(pair);
      for (const w of plan.writes) this.write(w);
      const entries = plannedEntries(applyWrites(pair, plan.writes), a, b, plan, now).map((e) => {
        const seq = this.stmt.nextSeq.get(e.userId)!.last_seq;
        const contact = e.contact ? JSON.stringify(e.contact) : null;
        const request = e.request ? JSON.stringify(e.request) : null;
        this.stmt.insertLog.run(e.userId, seq, e.otherId, e.event, e.ts, contact, request);
        const entry: ContactEntry = { seq, ts: e.ts, userId: e.otherId, event: e.event, contact: e.contact, request: e.request };
        return { userId: e.userId, entry };
      });
      return { result: plan.result, entries };
    })();
  }

  list(userId: string): { contacts: Contact[]; requests: ContactRequest[]; lastSeq: number } {
    return this.db.transaction(() => {
      const contacts = this.stmt.contacts.all(userId).map(toContact);
      const requests = this.stmt.requestsOf.all(userId, userId).map(
        (r): ContactRequest =>
          r.from_id === userId
            ? { userId: r.to_id, direction: 'out', message: r.message, ts: r.ts }
            : { userId: r.from_id, direction: 'in', message: r.message, ts: r.ts },
      );
      return { contacts, requests, lastSeq: this.stmt.lastSeq.get(userId)?.last_seq ?? 0 };
    })();
  }

  log(userId: string, afterSeq: number, limit: number): { entries: ContactEntry[]; lastSeq: number } {
    return this.db.transaction(() => ({
      entries: this.stmt.log.all(userId, afterSeq, limit).map(toContactEntry),
      lastSeq: this.stmt.lastSeq.get(userId)?.last_seq ?? 0,
    }))();
  }

  isContact(userId: string, other: string): boolean {
    return this.stmt.contact.get(userId, other) !== undefined;
  }
}
