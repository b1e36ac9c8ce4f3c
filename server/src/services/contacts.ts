/**
 * Contacts (docs/protocol.md part 2, "Contacts"): requests, their answers, the contacts themselves with each side's
 * own remark and tags, and each user's contact log. The rules are `decide…` functions of the pair's state, which the
 * storage runs inside the transaction that writes the change (storage/contact-state.ts), so two changes of one pair
 * can never both decide on the same old state, on any node. Every entry written reaches every device of its user
 * through the hub (and so the bus, across a cluster's nodes).
 */
import { ProtocolError, type Contact, type OpRequest, type OpResult } from '../../../protocol/index.js';
import type { ServerConfig } from '../config.js';
import type { ContactPair, ContactPlan, ContactWrite } from '../storage/contact-state.js';
import type { Storage } from '../storage/storage.js';
import type { Hub } from './hub.js';
import type { Messaging } from './messaging.js';
import { memoryThrottles, type Throttle, type Throttles } from './rate-limit.js';
import type { SensitiveWordFilter } from './sensitive-words.js';

const DEFAULT_SYNC_LIMIT = 200;

export type ContactsConfig = Pick<ServerConfig, 'contactRequestRate' | 'contactRequestBurst' | 'contactMaxPending'>;

function newContact(other: string, now: number): Contact {
  return { userId: other, remark: '', tags: [], since: now };
}

/** Both become contacts; every request between them, and any ignoring, is gone. */
function befriend<T>(pair: ContactPair, me: string, other: string, now: number, result: T): ContactPlan<T> {
  const writes: ContactWrite[] = [
    { kind: 'contact', owner: me, other, contact: newContact(other, now) },
    { kind: 'contact', owner: other, other: me, contact: newContact(me, now) },
    { kind: 'request', from: me, to: other, request: null },
    { kind: 'request', from: other, to: me, request: null },
  ];
  for (const [user, them] of [
    [me, other],
    [other, me],
  ] as const) {
    if (pair.ignoring[user]) writes.push({ kind: 'ignore', user, other: them, ignoring: false });
  }
  return {
    writes,
    log: [
      { userId: me, event: 'added' },
      { userId: other, event: 'added' },
    ],
    result,
  };
}

function decideRequest(me: string, other: string, message: string, now: number, maxPending: number) {
  return (pair: ContactPair): ContactPlan<'pending' | 'contacts'> => {
    if (pair.contacts[me]) return { writes: [], log: [], result: 'contacts' };
    // They asked first (even if I ignored it: asking them now is acting on it).
    if (pair.requests[other]) return befriend(pair, me, other, now, 'contacts');
    const request: ContactWrite = { kind: 'request', from: me, to: other, request: { message, ts: now } };
    if (pair.ignoring[other]) {
      // They ignored me (this request or one I withdrew): it is renewed in my own log only, they are not asked again.
      return { writes: [request], log: [{ userId: me, event: 'request.sent' }], result: 'pending' };
    }
    if (!pair.requests[me] && (pair.incoming[other] ?? 0) >= maxPending) {
      throw new ProtocolError('FORBIDDEN', 'this user has too many pending contact requests; try again later');
    }
    // Asking someone I had ignored is acting on it: their requests reach me again.
    const writes: ContactWrite[] = pair.ignoring[me] ? [request, { kind: 'ignore', user: me, other, ignoring: false }] : [request];
    return {
      writes,
      log: [
        { userId: me, event: 'request.sent' },
        { userId: other, event: 'request.received' },
      ],
      result: 'pending',
    };
  };
}

/** The request `other` sent `me`, which `me` still sees (not ignored); NOT_FOUND otherwise. */
function incoming(pair: ContactPair, me: string, other: string): void {
  if (!pair.requests[other] || pair.ignoring[me]) throw new ProtocolError('NOT_FOUND', `no pending contact request from ${other}`);
}

function decideAccept(me: string, other: string, now: number) {
  return (pair: ContactPair): ContactPlan<void> => {
    incoming(pair, me, other);
    return befriend(pair, me, other, now, undefined);
  };
}

function decideDecline(me: string, other: string) {
  return (pair: ContactPair): ContactPlan<void> => {
    incoming(pair, me, other);
    return {
      writes: [{ kind: 'request', from: other, to: me, request: null }],
      log: [
        { userId: me, event: 'request.declined' },
        { userId: other, event: 'request.declined' },
      ],
      result: undefined,
    };
  };
}

function decideIgnore(me: string, other: string) {
  return (pair: ContactPair): ContactPlan<void> => {
    incoming(pair, me, other);
    return {
      writes: [{ kind: 'ignore', user: me, other, ignoring: true }],
      log: [{ userId: me, event: 'request.ignored' }],
      result: undefined,
    };
  };
}

function decideCancel(me: string, other: string) {
  return (pair: ContactPair): ContactPlan<void> => {
    if (!pair.requests[me]) throw new ProtocolError('NOT_FOUND', `no pending contact request to ${other}`);
    return {
      // Their ignoring stays: withdrawing and asking again does not reach them either.
      writes: [{ kind: 'request', from: me, to: other, request: null }],
      // A request they ignored is no longer in their state: nothing to tell them.
      log: pair.ignoring[other] ? [{ userId: me, event: 'request.cancelled' }] : [
        { userId: me, event: 'request.cancelled' },
        { userId: other, event: 'request.cancelled' },
      ],
      result: undefined,
    };
  };
}

function decideRemove(me: string, other: string) {
  return (pair: ContactPair): ContactPlan<void> => {
    if (!pair.contacts[me]) throw new ProtocolError('NOT_FOUND', `${other} is not a contact`);
    return {
      writes: [
        { kind: 'contact', owner: me, other, contact: null },
        { kind: 'contact', owner: other, other: me, contact: null },
      ],
      log: [
        { userId: me, event: 'removed' },
        { userId: other, event: 'removed' },
      ],
      result: undefined,
    };
  };
}

function decideUpdate(me: string, other: string, change: { remark?: string; tags?: string[] }) {
  return (pair: ContactPair): ContactPlan<void> => {
    const contact = pair.contacts[me];
    if (!contact) throw new ProtocolError('NOT_FOUND', `${other} is not a contact`);
    const updated: Contact = { ...contact, remark: change.remark ?? contact.remark, tags: change.tags ?? contact.tags };
    return { writes: [{ kind: 'contact', owner: me, other, contact: updated }], log: [{ userId: me, event: 'updated' }], result: undefined };
  };
}

export class Contacts {
  private readonly requests: Throttle;

  constructor(
    private readonly storage: Storage,
    private readonly hub: Hub,
    private readonly messaging: Messaging,
    private readonly words: SensitiveWordFilter,
    private readonly config: ContactsConfig,
    throttles: Throttles = memoryThrottles,
  ) {
    this.requests = throttles('contact.request', config.contactRequestRate / 3600, Math.max(1, config.contactRequestBurst));
  }

  async list(userId: string): Promise<OpResult<'contacts.list'>> {
    return this.storage.contactsOf(userId);
  }

  async sync(userId: string, body: OpRequest<'contacts.sync'>): Promise<OpResult<'contacts.sync'>> {
    const limit = body.limit ?? DEFAULT_SYNC_LIMIT;
    const { entries, lastSeq } = await this.storage.contactLog(userId, body.afterSeq, limit);
    return { entries, lastSeq, more: (entries.at(-1)?.seq ?? body.afterSeq) < lastSeq };
  }

  async request(userId: string, body: OpRequest<'contacts.request'>): Promise<OpResult<'contacts.request'>> {
    const other = body.userId;
    await this.checkOther(userId, other);
    // Counted before anything is read or written: a repeated request re-delivers its message, so repeats cost too.
    const wait = await this.requests.take(userId, Date.now());
    if (wait > 0) throw new ProtocolError('RATE_LIMITED', 'too many contact requests; try again later', { retryAfterMs: wait });
    await this.checkBlocks(userId, other);
    const now = Date.now();
    // The message reaches another user, as a text message would: the same word filter applies.
    const message = this.words.apply(body.message ?? '');
    const status = await this.change(userId, other, decideRequest(userId, other, message, now, this.config.contactMaxPending), now);
    return { status };
  }

  async accept(userId: string, other: string): Promise<void> {
    await this.checkOther(userId, other);
    await this.checkBlocks(userId, other);
    const now = Date.now();
    await this.change(userId, other, decideAccept(userId, other, now), now);
  }

  async decline(userId: string, other: string): Promise<void> {
    await this.checkOther(userId, other);
    await this.change(userId, other, decideDecline(userId, other), Date.now());
  }

  async ignore(userId: string, other: string): Promise<void> {
    await this.checkOther(userId, other);
    await this.change(userId, other, decideIgnore(userId, other), Date.now());
  }

  async cancel(userId: string, other: string): Promise<void> {
    await this.checkOther(userId, other);
    await this.change(userId, other, decideCancel(userId, other), Date.now());
  }

  async remove(userId: string, other: string): Promise<void> {
    await this.checkOther(userId, other);
    await this.change(userId, other, decideRemove(userId, other), Date.now());
  }

  async update(userId: string, body: OpRequest<'contacts.update'>): Promise<void> {
    if (body.remark === undefined && body.tags === undefined) throw new ProtocolError('BAD_REQUEST', 'give remark, tags or both');
    await this.checkOther(userId, body.userId);
    const change = { remark: body.remark, tags: body.tags ? [...new Set(body.tags)] : undefined };
    await this.change(userId, body.userId, decideUpdate(userId, body.userId, change), Date.now());
  }

  private async checkOther(userId: string, other: string): Promise<void> {
    if (other === userId) throw new ProtocolError('BAD_REQUEST', 'you cannot be your own contact');
    if (!(await this.messaging.userExists(other))) throw new ProtocolError('NOT_FOUND', `user ${other} does not exist`);
  }

  /** As a private `send`: a block either way refuses a new contact. */
  private async checkBlocks(userId: string, other: string): Promise<void> {
    if ((await this.storage.isBlocked(other, userId)) || (await this.storage.isBlocked(userId, other))) {
      throw new ProtocolError('BLOCKED', 'one of you has blocked the other');
    }
  }

  private async change<T>(userId: string, other: string, decide: (pair: ContactPair) => ContactPlan<T>, now: number): Promise<T> {
    const { result, entries } = await this.storage.changeContacts(userId, other, decide, now);
    for (const { userId: owner, entry } of entries) this.hub.send([owner], 'contact', entry);
    return result;
  }
}
