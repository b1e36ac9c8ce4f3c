/**
 * The fake api's contacts and directory: requests, answers and removals as the server's rules have them
 * (docs/protocol.md part 2, "Contacts"; asking someone who asked first makes contacts at once), the whole list
 * announced in `contacts:changed` as main does, and a directory that finds the fake's users by a part of their
 * name (case- and width-folded) or by their id (the exact id first), in pages.
 */
import type { ContactRequestView, ContactView, ContactsView, GroupListingView, UserView } from '../../../preload/api-types';
import type { FakeContext } from './fake-context';

export interface FakeContactsSpec {
  /** Contacts of the signed-in user (their names come from the fake's users). */
  contacts?: Array<{ userId: string; remark?: string; tags?: string[]; since?: number }>;
  requests?: Array<{ userId: string; direction: 'in' | 'out'; message?: string; ts?: number }>;
  /** Groups `directory.searchGroups` lists (join them through the fake's groups). */
  publicGroups?: GroupListingView[];
  /** False: a server without contacts (contacts.list answers empty, `supported` false). */
  supported?: boolean;
  /** `contacts`: a server that delivers private messages between contacts only. */
  messaging?: 'anyone' | 'contacts';
}

const DEFAULT_PAGE = 20;

const fold = (s: string) => s.normalize('NFKC').toLowerCase();

function page<T>(all: readonly T[], cursor: string | undefined, limit = DEFAULT_PAGE): { items: T[]; nextCursor?: string } {
  const start = cursor ? Number(cursor) : 0;
  const items = all.slice(start, start + limit);
  return start + limit < all.length ? { items, nextCursor: String(start + limit) } : { items };
}

export function createFakeContacts(ctx: FakeContext, spec: FakeContactsSpec = {}) {
  const supported = spec.supported ?? true;
  const contacts = new Map((spec.contacts ?? []).map((c) => [c.userId, { userId: c.userId, remark: c.remark ?? '', tags: c.tags ?? [], since: c.since ?? ctx.now() }]));
  const requests = new Map(
    (spec.requests ?? []).map((r) => [r.userId, { userId: r.userId, direction: r.direction, message: r.message ?? '', ts: r.ts ?? ctx.now() }]),
  );
  const publicGroups = spec.publicGroups ?? [];

  const userOf = (userId: string): UserView => ctx.users.get(userId) ?? { userId, name: userId, online: false, lastSeen: 0 };
  const view = (): ContactsView => ({
    supported,
    messaging: spec.messaging ?? 'anyone',
    contacts: [...contacts.values()].map((c): ContactView => {
      const u = userOf(c.userId);
      const v: ContactView = { ...c, tags: [...c.tags], name: u.name, online: u.online, lastSeen: u.lastSeen };
      if (u.avatar) v.avatar = u.avatar;
      if (u.status) v.status = u.status;
      return v;
    }),
    requests: [...requests.values()].map((r): ContactRequestView => ({ ...r, name: userOf(r.userId).name })),
  });
  const changed = () => ctx.emit('contacts:changed', view());
  const need = () => {
    if (!supported) throw ctx.error('BAD_REQUEST', 'unknown op');
  };
  const incoming = (userId: string) => {
    if (requests.get(userId)?.direction !== 'in') throw ctx.error('NOT_FOUND', 'no request from this user');
  };
  const befriend = (userId: string) => {
    requests.delete(userId);
    contacts.set(userId, { userId, remark: '', tags: [], since: ctx.now() });
  };

  return {
    api: {
      directory: {
        searchUsers: (arg: { query: string; cursor?: string; limit?: number }) =>
          ctx.record('directory.searchUsers', arg, () => {
            const q = arg.query.trim();
            const others = [...ctx.users.values()].filter((u) => u.userId !== ctx.selfId());
            const exact = others.filter((u) => u.userId === q);
            const prefix = others.filter((u) => u.userId !== q && u.userId.startsWith(q));
            const named = others.filter((u) => !u.userId.startsWith(q) && fold(u.name).includes(fold(q)));
            const { items, nextCursor } = page([...exact, ...prefix, ...named], arg.cursor, arg.limit);
            return nextCursor ? { users: items, nextCursor } : { users: items };
          }),
        searchGroups: (arg: { query: string; cursor?: string; limit?: number }) =>
          ctx.record('directory.searchGroups', arg, () => {
            const q = fold(arg.query.trim());
            const found = publicGroups.filter((g) => g.groupId === arg.query.trim() || fold(g.name).includes(q));
            const { items, nextCursor } = page(found, arg.cursor, arg.limit);
            return nextCursor ? { groups: items, nextCursor } : { groups: items };
          }),
      },
      contacts: {
        list: () => ctx.record('contacts.list', {}, view),
        request: (arg: { userId: string; message?: string }) =>
          ctx.record('contacts.request', arg, () => {
            need();
            if (arg.userId === ctx.selfId()) throw ctx.error('BAD_REQUEST', 'that is you');
            if (!ctx.users.has(arg.userId)) throw ctx.error('NOT_FOUND', 'no such user');
            if (contacts.has(arg.userId)) return { status: 'contacts' as const };
            if (requests.get(arg.userId)?.direction === 'in') {
              befriend(arg.userId);
              changed();
              return { status: 'contacts' as const };
            }
            requests.set(arg.userId, { userId: arg.userId, direction: 'out', message: arg.message ?? '', ts: ctx.now() });
            changed();
            return { status: 'pending' as const };
          }),
        accept: (arg: { userId: string }) =>
          ctx.record('contacts.accept', arg, () => {
            incoming(arg.userId);
            befriend(arg.userId);
            changed();
          }),
        decline: (arg: { userId: string }) =>
          ctx.record('contacts.decline', arg, () => {
            incoming(arg.userId);
            requests.delete(arg.userId);
            changed();
          }),
        ignore: (arg: { userId: string }) =>
          ctx.record('contacts.ignore', arg, () => {
            incoming(arg.userId);
            requests.delete(arg.userId);
            changed();
          }),
        cancel: (arg: { userId: string }) =>
          ctx.record('contacts.cancel', arg, () => {
            if (requests.get(arg.userId)?.direction !== 'out') throw ctx.error('NOT_FOUND', 'no request to this user');
            requests.delete(arg.userId);
            changed();
          }),
        remove: (arg: { userId: string }) =>
          ctx.record('contacts.remove', arg, () => {
            if (!contacts.delete(arg.userId)) throw ctx.error('NOT_FOUND', 'not a contact');
            changed();
          }),
        update: (arg: { userId: string; remark?: string; tags?: string[] }) =>
          ctx.record('contacts.update', arg, () => {
            const c = contacts.get(arg.userId);
            if (!c) throw ctx.error('NOT_FOUND', 'not a contact');
            if (arg.remark !== undefined) c.remark = arg.remark;
            if (arg.tags !== undefined) c.tags = [...arg.tags];
            changed();
          }),
      },
    },
    /** Someone asks the signed-in user to become a contact (as the server's `contact` event would bring it). */
    receiveRequest(userId: string, message = '') {
      requests.set(userId, { userId, direction: 'in', message, ts: ctx.now() });
      changed();
    },
    /** The other user accepted the user's request. */
    accepted(userId: string) {
      befriend(userId);
      changed();
    },
  };
}
