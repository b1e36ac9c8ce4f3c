/**
 * Several signed-in accounts for the fake api: the session's account first, then the others of
 * `FakeApiOptions.accounts`. Each keeps its own conversation list; switching swaps them in, as main does.
 */
import type { AccountView, ConnectionView, ConversationView, SessionView } from '../../../preload/api-types';

export interface FakeAccountSpec {
  userId: string;
  name: string;
  serverUrl?: string;
  /** Unread messages while in the background. */
  unread?: number;
  conversations?: ConversationView[];
}

interface FakeAccount {
  key: string;
  userId: string;
  name: string;
  serverUrl: string;
  unread: number;
  conversations: ConversationView[];
}

export interface FakeAccountsDeps {
  session(): SessionView;
  setSession(session: SessionView): void;
  /** The active account's conversations (the fake api's own map). */
  conversations: Map<string, ConversationView>;
  connection(): ConnectionView;
  emit(event: string, payload: unknown): void;
}

const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export function fakeAccountKey(serverUrl: string, userId: string): string {
  return `${userId}@${new URL(serverUrl).host}`;
}

export function createFakeAccounts(deps: FakeAccountsDeps, specs: readonly FakeAccountSpec[] = []) {
  const accounts: FakeAccount[] = [];
  const first = deps.session();
  if (first.state === 'signed-in' && first.userId) {
    const serverUrl = first.serverUrl || DEFAULT_SERVER;
    accounts.push({ key: fakeAccountKey(serverUrl, first.userId), userId: first.userId, name: first.name ?? first.userId, serverUrl, unread: 0, conversations: [] });
    for (const s of specs) {
      const url = s.serverUrl ?? DEFAULT_SERVER;
      accounts.push({ key: fakeAccountKey(url, s.userId), userId: s.userId, name: s.name, serverUrl: url, unread: s.unread ?? 0, conversations: s.conversations ?? [] });
    }
  }
  let activeKey: string | null = accounts[0]?.key ?? null;

  const activeUnread = () => {
    let n = 0;
    for (const c of deps.conversations.values()) if (c.unread > 0 && (!c.muted || c.mentioned)) n += c.unread;
    return n;
  };
  const views = (): AccountView[] =>
    accounts.map((a) => ({
      key: a.key,
      userId: a.userId,
      serverUrl: a.serverUrl,
      name: a.name,
      active: a.key === activeKey,
      unread: a.key === activeKey ? activeUnread() : a.unread,
      connection: a.key === activeKey ? deps.connection().state : 'online',
    }));
  const announce = () => deps.emit('accounts:changed', { accounts: views() });

  /** Puts the active account's list away and shows `next`'s (or nothing). */
  const activate = (next: FakeAccount | null) => {
    const current = accounts.find((a) => a.key === activeKey);
    if (current) {
      current.conversations = [...deps.conversations.values()];
      current.unread = activeUnread();
    }
    deps.conversations.clear();
    activeKey = next?.key ?? null;
    if (next) {
      for (const c of next.conversations) deps.conversations.set(c.convId, c);
      deps.setSession({ state: 'signed-in', userId: next.userId, name: next.name, serverUrl: next.serverUrl });
    }
    deps.emit('session:changed', deps.session());
    announce();
  };

  return {
    list: () => ({ accounts: views() }),
    switchTo(key: string): SessionView {
      const next = accounts.find((a) => a.key === key);
      if (!next) throw { name: 'ApiError', code: 'NOT_FOUND', message: 'no signed-in account with that key' };
      if (next.key !== activeKey) activate(next);
      return deps.session();
    },
    /** A sign-in: a new account is added (or an existing one shown) and becomes active. */
    signedIn(session: SessionView & { userId: string; serverUrl: string }): void {
      const key = fakeAccountKey(session.serverUrl, session.userId);
      let account = accounts.find((a) => a.key === key);
      if (!account) {
        account = { key, userId: session.userId, name: session.name ?? session.userId, serverUrl: session.serverUrl, unread: 0, conversations: [] };
        accounts.push(account);
      }
      activate(account);
    },
    /** Signs out the active account: the next one becomes active, or the sign-in screen shows. */
    signedOut(): void {
      const at = accounts.findIndex((a) => a.key === activeKey);
      const [gone] = at >= 0 ? accounts.splice(at, 1) : [];
      activeKey = null;
      deps.conversations.clear();
      const next = accounts[0] ?? null;
      if (next) activate(next);
      else {
        deps.setSession({ state: 'signed-out', serverUrl: gone?.serverUrl ?? '', userId: gone?.userId ?? '' });
        deps.emit('session:changed', deps.session());
        announce();
      }
    },
    /** Messages arrive for a background account: its unread count rises (accounts:changed). */
    receiveInBackground(key: string, count = 1): void {
      const account = accounts.find((a) => a.key === key);
      if (!account || account.key === activeKey) return;
      account.unread += count;
      announce();
    },
  };
}
