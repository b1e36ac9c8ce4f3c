/**
 * The contact state between two users as both storages read and change it (docs/protocol.md part 2, "Contacts"):
 * the pure part of `Storage.changeContacts`. A storage reads a ContactPair inside its transaction, lets the caller
 * decide the change, applies the writes to its rows and to the pair with `applyWrites`, and records one log entry
 * per affected user carrying `stateFor` that user: so both storages write the same entries for the same change.
 */
import type { Contact, ContactEntry, ContactEvent, ContactRequest } from '../../../protocol/index.js';

/** A stored request from one user to another. */
export interface PendingRequest {
  message: string;
  ts: number;
}

/** Two users' contact state, both sides, as read inside the changing transaction. */
export interface ContactPair {
  /** Each user's contact record of the other (by user id); both or neither exist. */
  contacts: Record<string, Contact | null>;
  /** The request each user sent the other (by sender). */
  requests: Record<string, PendingRequest | null>;
  /**
   * Whether each user ignores the other's requests (by user id): set by `contacts.ignore`, kept when the request
   * is withdrawn, so that withdrawing and asking again does not reach them either; cleared when they act.
   */
  ignoring: Record<string, boolean>;
  /** Requests each user has received and not ignored, from anyone (by user id). */
  incoming: Record<string, number>;
}

export type ContactWrite =
  /** Sets (or, with null, deletes) `owner`'s contact record of `other`. */
  | { kind: 'contact'; owner: string; other: string; contact: Contact | null }
  /** Sets (or, with null, deletes) the request from `from` to `to`. */
  | { kind: 'request'; from: string; to: string; request: PendingRequest | null }
  /** `user` ignores `other`'s requests from now on, or (false) no longer. */
  | { kind: 'ignore'; user: string; other: string; ignoring: boolean };

/** What a change does: its writes, then one entry in each named user's log, in this order. */
export interface ContactPlan<T> {
  writes: ContactWrite[];
  log: Array<{ userId: string; event: ContactEvent }>;
  result: T;
}

/** Decides a change from the current state; throwing (a ProtocolError) writes nothing. */
export type ContactDecision<T> = (pair: ContactPair) => ContactPlan<T>;

/** A row of a user's contact log, as stored. */
export interface ContactLogRow {
  userId: string;
  seq: number;
  otherId: string;
  event: ContactEvent;
  ts: number;
  contact: Contact | null;
  request: ContactRequest | null;
}

/** The pair after the writes (the `incoming` counts are not kept up to date: nothing reads them after a decision). */
export function applyWrites(pair: ContactPair, writes: readonly ContactWrite[]): ContactPair {
  const next: ContactPair = { contacts: { ...pair.contacts }, requests: { ...pair.requests }, ignoring: { ...pair.ignoring }, incoming: pair.incoming };
  for (const w of writes) {
    if (w.kind === 'contact') next.contacts[w.owner] = w.contact;
    else if (w.kind === 'request') next.requests[w.from] = w.request;
    else next.ignoring[w.user] = w.ignoring;
  }
  return next;
}

/**
 * What `owner` sees of `other`: their contact record, and the pending request either way: the owner's own request
 * (even one the other ignored: its sender is not told), else the other's request unless the owner ignored it.
 */
export function stateFor(pair: ContactPair, owner: string, other: string): { contact: Contact | null; request: ContactRequest | null } {
  const contact = pair.contacts[owner] ?? null;
  const out = pair.requests[owner] ?? null;
  const inc = pair.requests[other] ?? null;
  let request: ContactRequest | null = null;
  if (out) request = { userId: other, direction: 'out', message: out.message, ts: out.ts };
  else if (inc && !pair.ignoring[owner]) request = { userId: other, direction: 'in', message: inc.message, ts: inc.ts };
  return { contact: contact ? { ...contact, tags: [...contact.tags] } : null, request };
}

/** The entries a plan writes, before their seqs are known (each storage numbers them from its counter rows). */
export function plannedEntries(after: ContactPair, a: string, b: string, plan: ContactPlan<unknown>, ts: number): Array<Omit<ContactLogRow, 'seq'>> {
  return plan.log.map(({ userId, event }) => {
    const other = userId === a ? b : a;
    return { userId, otherId: other, event, ts, ...stateFor(after, userId, other) };
  });
}

/** A stored tags column (JSON text) as an array; anything else as none. */
export function parseTags(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

// --- rows as both storages read them

export interface ContactRow {
  contact_id: string;
  remark: string;
  tags: string;
  since: number;
}
export interface RequestRow {
  from_id: string;
  to_id: string;
  message: string;
  ts: number;
}
export interface LogRow {
  seq: number;
  other_id: string;
  event: string;
  ts: number;
  contact: string | null;
  request: string | null;
}

/** SQL: requests to the user (`r.to_id`) whose sender the user does not ignore. */
export const NOT_IGNORED = 'NOT EXISTS (SELECT 1 FROM contact_ignores i WHERE i.user_id = r.to_id AND i.ignored_id = r.from_id)';

export function toContact(row: ContactRow): Contact {
  return { userId: row.contact_id, remark: row.remark, tags: parseTags(row.tags), since: row.since };
}

export function toContactEntry(row: LogRow): ContactEntry {
  return {
    seq: row.seq,
    ts: row.ts,
    userId: row.other_id,
    event: row.event,
    contact: parseJson<Contact>(row.contact),
    request: parseJson<ContactRequest>(row.request),
  };
}
