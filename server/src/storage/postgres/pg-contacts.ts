/**
 * The PostgreSQL storage's contacts (Storage.changeContacts and its readers; the tables of migration 5). A change
 * first locks both users' contact_seqs rows, in user id order (so two changes never wait on each other in a
 * cycle), then reads the pair: under READ COMMITTED each statement after the lock sees every change committed
 * before it, so a change of the same pair, or an entry of the same user's log, on any node waits for this one.
 */
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
  type RequestRow,
} from '../contact-state.js';
import type { Queryable } from './pg-storage.js';

async function readPair(c: Queryable, a: string, b: string): Promise<ContactPair> {
  const contacts = (
    await c.query<ContactRow & { user_id: string }>('SELECT * FROM contacts WHERE (user_id = $1 AND contact_id = $2) OR (user_id = $2 AND contact_id = $1)', [a, b])
  ).rows;
  const requests = (
    await c.query<RequestRow>('SELECT * FROM contact_requests WHERE (from_id = $1 AND to_id = $2) OR (from_id = $2 AND to_id = $1)', [a, b])
  ).rows;
  const ignores = (
    await c.query<{ user_id: string }>(
      'SELECT user_id FROM contact_ignores WHERE (user_id = $1 AND ignored_id = $2) OR (user_id = $2 AND ignored_id = $1)',
      [a, b],
    )
  ).rows;
  const incoming = (
    await c.query<{ to_id: string; n: number }>(
      `SELECT r.to_id, COUNT(*)::int AS n FROM contact_requests r WHERE r.to_id = ANY($1::text[]) AND ${NOT_IGNORED} GROUP BY r.to_id`,
      [[a, b]],
    )
  ).rows;
  const contactOf = (owner: string) => {
    const row = contacts.find((r) => r.user_id === owner);
    return row ? toContact(row) : null;
  };
  const requestOf = (from: string) => {
    const row = requests.find((r) => r.from_id === from);
    return row ? { message: row.message, ts: row.ts } : null;
  };
  const incomingOf = (to: string) => incoming.find((r) => r.to_id === to)?.n ?? 0;
  return {
    contacts: { [a]: contactOf(a), [b]: contactOf(b) },
    requests: { [a]: requestOf(a), [b]: requestOf(b) },
    ignoring: { [a]: ignores.some((r) => r.user_id === a), [b]: ignores.some((r) => r.user_id === b) },
    incoming: { [a]: incomingOf(a), [b]: incomingOf(b) },
  };
}

async function write(c: Queryable, w: ContactWrite): Promise<void> {
  if (w.kind === 'contact') {
    if (w.contact) {
      await c.query(
        `INSERT INTO contacts (user_id, contact_id, remark, tags, since) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, contact_id) DO UPDATE SET remark = excluded.remark, tags = excluded.tags, since = excluded.since`,
        [w.owner, w.other, w.contact.remark, JSON.stringify(w.contact.tags), w.contact.since],
      );
    } else {
      await c.query('DELETE FROM contacts WHERE user_id = $1 AND contact_id = $2', [w.owner, w.other]);
    }
  } else if (w.kind === 'request') {
    if (w.request) {
      await c.query(
        `INSERT INTO contact_requests (from_id, to_id, message, ts) VALUES ($1, $2, $3, $4)
         ON CONFLICT (from_id, to_id) DO UPDATE SET message = excluded.message, ts = excluded.ts`,
        [w.from, w.to, w.request.message, w.request.ts],
      );
    } else {
      await c.query('DELETE FROM contact_requests WHERE from_id = $1 AND to_id = $2', [w.from, w.to]);
    }
  } else if (w.ignoring) {
    await c.query('INSERT INTO contact_ignores (user_id, ignored_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [w.user, w.other]);
  } else {
    await c.query('DELETE FROM contact_ignores WHERE user_id = $1 AND ignored_id = $2', [w.user, w.other]);
  }
}

/** Runs inside the caller's transaction. */
export async function changeContacts<T>(
  c: Queryable,
  a: string,
  b: string,
  decide: ContactDecision<T>,
  now: number,
): Promise<{ result: T; entries: Array<{ userId: string; entry: ContactEntry }> }> {
  const users = [a, b].sort();
  // Inserted in id order too: two transactions creating the same counter rows wait in that order.
  await c.query('INSERT INTO contact_seqs (user_id, last_seq) SELECT u, 0 FROM unnest($1::text[]) AS u ORDER BY u ON CONFLICT DO NOTHING', [users]);
  await c.query('SELECT user_id FROM contact_seqs WHERE user_id = ANY($1::text[]) ORDER BY user_id FOR UPDATE', [users]);
  const pair = await readPair(c, a, b);
  const plan = decide(pair);
  for (const w of plan.writes) await write(c, w);
  const entries: Array<{ userId: string; entry: ContactEntry }> = [];
  for (const e of plannedEntries(applyWrites(pair, plan.writes), a, b, plan, now)) {
    const seq = (await c.query<{ last_seq: number }>('UPDATE contact_seqs SET last_seq = last_seq + 1 WHERE user_id = $1 RETURNING last_seq', [e.userId])).rows[0]!
      .last_seq;
    await c.query('INSERT INTO contact_log (user_id, seq, other_id, event, ts, contact, request) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      e.userId,
      seq,
      e.otherId,
      e.event,
      e.ts,
      e.contact ? JSON.stringify(e.contact) : null,
      e.request ? JSON.stringify(e.request) : null,
    ]);
    entries.push({ userId: e.userId, entry: { seq, ts: e.ts, userId: e.otherId, event: e.event, contact: e.contact, request: e.request } });
  }
  return { result: plan.result, entries };
}

/** Runs inside the caller's (repeatable-read) transaction, so the three reads are one snapshot. */
export async function contactsOf(c: Queryable, userId: string): Promise<{ contacts: Contact[]; requests: ContactRequest[]; lastSeq: number }> {
  const contacts = (await c.query<ContactRow>('SELECT * FROM contacts WHERE user_id = $1 ORDER BY contact_id', [userId])).rows.map(toContact);
  const requests = (
    await c.query<RequestRow>(`SELECT * FROM contact_requests r WHERE r.from_id = $1 OR (r.to_id = $1 AND ${NOT_IGNORED}) ORDER BY r.ts, r.from_id, r.to_id`, [
      userId,
    ])
  ).rows.map(
    (r): ContactRequest =>
      r.from_id === userId
        ? { userId: r.to_id, direction: 'out', message: r.message, ts: r.ts }
        : { userId: r.from_id, direction: 'in', message: r.message, ts: r.ts },
  );
  return { contacts, requests, lastSeq: await lastSeq(c, userId) };
}

async function lastSeq(c: Queryable, userId: string): Promise<number> {
  return (await c.query<{ last_seq: number }>('SELECT last_seq FROM contact_seqs WHERE user_id = $1', [userId])).rows[0]?.last_seq ?? 0;
}

/** Runs inside the caller's (repeatable-read) transaction. */
export async function contactLog(c: Queryable, userId: string, afterSeq: number, limit: number): Promise<{ entries: ContactEntry[]; lastSeq: number }> {
  const rows = (
    await c.query<LogRow>('SELECT seq, other_id, event, ts, contact, request FROM contact_log WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [
      userId,
      afterSeq,
      limit,
    ])
  ).rows;
  return { entries: rows.map(toContactEntry), lastSeq: await lastSeq(c, userId) };
}
