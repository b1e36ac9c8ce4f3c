/**
 * The desktop app outside its UI, in plain Node: the saved sessions, the signed-in accounts (each with its own
 * database, outbox, file cache and connection, all connected at once; one of them active, the one the window
 * shows), app settings, and the handler table of the IPC contract. The Electron layer and host mode both serve
 * exactly this.
 */
import {
  ProtocolError,
  groupConvId,
  privateConvId,
  type Op,
  type OpRequest,
  type OpResult,
} from '../../../protocol/index.js';
import type { AccountView, ApiHandlers, SessionView } from '../../../preload/contract.js';
import { IpcError } from '../ipc/errors.js';
import { plainDesktopServices, type DesktopServices, type DesktopServicesFactory } from '../launcher/desktop-services.js';
import { createEventBus, type ApiEventBus } from '../ipc/event-bus.js';
import { describeError, silentLogger, type Logger } from '../ipc/logger.js';
import type { AccountFeed } from '../notify/account-notifications.js';
import { unreadSummary } from '../notify/unread.js';
import { Account } from './account.js';
import { AppSettings } from './app-settings.js';
import { changePassword, login, logout, register } from './http-client.js';
import { profileHandlers } from './profile-handlers.js';
import { peopleHandlers } from './people-handlers.js';
import { NoAnswerError } from './server-connection.js';
import { SessionFile, accountKey, plainBox, type SavedAccounts, type SavedSession, type SecretBox } from './session-file.js';
import { conversationView, limitsView, messageView, searchHitView } from './views.js';

export interface ClientCoreOptions {
  /** The app's data directory (per OS user). */
  dataDir: string;
  platform?: string;
  appVersion?: string;
  secretBox?: SecretBox;
  nativeBinding?: string;
  log?: Logger;
  /** Test hook: faster reconnects. */
  backoff?: { baseMs: number; capMs: number };
  /** Bytes each account's file cache may hold (default FILE_CACHE_MAX_BYTES). */
  fileCacheMaxBytes?: number;
  /** The host's launch info, desktop preferences and updater (`app.*`, `desktop.*`, `updates.*`); default: host mode's. */
  desktop?: DesktopServicesFactory;
}

/** accounts:changed waits this long for more changes of the same burst. */
const ACCOUNTS_CHANGED_DELAY_MS = 50;

/** How long signing out waits for the server to revoke the token before giving up on it. */
const LOGOUT_TIMEOUT_MS = 3_000;

function kindForMime(mime: string): 'image' | 'file' {
  return /^image\/(png|jpe?g|gif|webp|bmp|avif)$/.test(mime) ? 'image' : 'file';
}

/** One signed-in account as the core holds it. */
interface SignedIn {
  key: string;
  session: SavedSession & { token: string };
  account: Account;
  /** The account's own events; the core forwards them to the window only while the account is active. */
  bus: ApiEventBus;
  /** The handler table acting on this account whether or not it is active (the notifier's view of it). */
  handlers: ApiHandlers;
  /** Its unread count for accounts:changed; null when its conversations changed since (counted again then). */
  unread: number | null;
}

export class ClientCore {
  /** What the window is told: the active account's events and the app's own. */
  readonly events: ApiEventBus;
  /** The handler table of the IPC contract; account methods act on the active account. */
  readonly handlers: ApiHandlers;
  /** Every signed-in account, for notifications and the badge (see notify/account-notifications.ts). */
  readonly feed: AccountFeed;
  private readonly sessionFile: SessionFile;
  private readonly settings: AppSettings;
  private readonly desktop: DesktopServices;
  private readonly log: Logger;
  /** In the order they were signed in (the order of the switcher and of Ctrl+Shift+1…9). */
  private readonly signedIn = new Map<string, SignedIn>();
  private activeKey: string | null = null;
  private saved: SavedAccounts = { active: null, sessions: [] };
  private deviceId: string;
  private accountsTimer: ReturnType<typeof setTimeout> | undefined;
  private lastAccounts = '';

  constructor(private readonly options: ClientCoreOptions) {
    this.log = options.log ?? silentLogger;
    this.events = createEventBus({ log: this.log });
    this.sessionFile = new SessionFile(options.dataDir, options.secretBox ?? plainBox);
    this.settings = new AppSettings(options.dataDir);
    this.deviceId = this.sessionFile.deviceId();
    this.desktop = (options.desktop ?? plainDesktopServices)({
      events: this.events,
      dataDir: options.dataDir,
      appVersion: options.appVersion ?? '0.0.0',
      platform: process.platform,
    });
    this.handlers = this.createHandlers(() => this.active());
    this.feed = {
      accounts: () =>
        [...this.signedIn.values()].map((s) => ({ key: s.key, label: this.label(s), handlers: s.handlers, events: s.bus })),
      activeKey: () => this.activeKey,
    };
  }

  /** Resumes the saved sessions, if any: every signed-in account connects, the one last shown is active. */
  start(): void {
    this.saved = this.sessionFile.loadAll();
    for (const session of this.saved.sessions) {
      if (session.token) this.openAccount({ ...session, token: session.token });
    }
    this.activeKey = this.saved.active !== null && this.signedIn.has(this.saved.active) ? this.saved.active : this.firstKey();
  }

  async stop(): Promise<void> {
    clearTimeout(this.accountsTimer);
    const all = [...this.signedIn.values()];
    this.signedIn.clear();
    this.activeKey = null;
    await Promise.all(all.map((s) => s.account.close()));
  }

  /** The active account (for the hosts: flushing the outbox before an update; tests). */
  get current(): Account | null {
    return this.active()?.account ?? null;
  }

  /** Every signed-in account, the active one included. */
  accounts(): Account[] {
    return [...this.signedIn.values()].map((s) => s.account);
  }

  /** A signed-in account by its key (AccountView.key). */
  account(key: string): Account | null {
    return this.signedIn.get(key)?.account ?? null;
  }

  /** The OS reports the network back, or the window regained focus after a sleep: try at once. */
  networkMayBeBack(): void {
    for (const s of this.signedIn.values()) s.account.conn.connectNow();
  }

  private active(): SignedIn | null {
    return this.activeKey === null ? null : (this.signedIn.get(this.activeKey) ?? null);
  }

  private firstKey(): string | null {
    return this.signedIn.keys().next().value ?? null;
  }

  private sessionView(entry: SignedIn | null = this.active()): SessionView {
    if (entry) return { state: 'signed-in', userId: entry.session.userId, serverUrl: entry.session.serverUrl, name: entry.session.name };
    // Signed out: the account signed out last prefills the sign-in form.
    const last = this.saved.sessions.findLast((s) => !s.token);
    return last ? { state: 'signed-out', userId: last.userId, serverUrl: last.serverUrl } : { state: 'signed-out' };
  }

  /** How a notification names the account: its name, or its key where two accounts share a name. */
  private label(entry: SignedIn): string {
    const same = [...this.signedIn.values()].filter((s) => s.session.name === entry.session.name).length;
    return same > 1 ? entry.key : entry.session.name;
  }

  private accountViews(): AccountView[] {
    return [...this.signedIn.values()].map((s) => ({
      key: s.key,
      userId: s.session.userId,
      serverUrl: s.session.serverUrl,
      name: s.session.name,
      active: s.key === this.activeKey,
      unread: (s.unread ??= unreadSummary(s.account.store.listConversations().map(conversationView)).total),
      connection: s.account.conn.state.state,
    }));
  }

  /**
   * `accounts:changed`, once per burst of changes (a catch-up changes conversations in quick succession) and only
   * when the list as shown differs.
   */
  private accountsMayHaveChanged(): void {
    if (this.accountsTimer !== undefined) return;
    this.accountsTimer = setTimeout(() => {
      this.accountsTimer = undefined;
      const accounts = this.accountViews();
      const text = JSON.stringify(accounts);
      if (text === this.lastAccounts) return;
      this.lastAccounts = text;
      this.events.emit('accounts:changed', { accounts });
    }, ACCOUNTS_CHANGED_DELAY_MS);
  }

  private openAccount(session: SavedSession & { token: string }): SignedIn {
    const key = accountKey(session.serverUrl, session.userId);
    const dir = this.sessionFile.accountDir(session.serverUrl, session.userId);
    const bus = createEventBus({ log: this.log });
    const account = new Account({
      session,
      dir,
      device: { id: this.deviceId, platform: this.options.platform ?? process.platform, app: `parley-desktop/${this.options.appVersion ?? '0'}` },
      events: bus,
      nativeBinding: this.options.nativeBinding,
      log: this.log,
      backoff: this.options.backoff,
      fileCacheMaxBytes: this.options.fileCacheMaxBytes,
      onAuthFailed: (reason, revoked) => {
        this.log.warn({ revoked }, 'session ended by the server');
        // Only if it is still this sign-in (not one replaced by signing in again meanwhile).
        if (this.signedIn.get(key)?.account === account) void this.signOut(key, revoked ? 'session revoked' : reason);
      },
    });
    const entry: SignedIn = { key, session, account, bus, handlers: undefined as unknown as ApiHandlers, unread: null };
    entry.handlers = this.createHandlers(() => (this.signedIn.get(key) === entry ? entry : null));
    this.signedIn.set(key, entry);
    // A background account's events must not reach the window as the active one's.
    bus.onAny((event, payload) => {
      if (this.activeKey === key && this.signedIn.get(key) === entry) this.events.emit(event, payload);
    });
    bus.on('conversations:changed', () => {
      entry.unread = null;
      this.accountsMayHaveChanged();
    });
    bus.on('connection:changed', () => this.accountsMayHaveChanged());
    account.conn.on('limits', (limits) => bus.emit('limits:changed', limitsView(limits)));
    account.conn.on('malformed', ({ problem }) => this.log.warn({ problem }, 'the server sent something outside the protocol; dropped'));
    // The name the server has: a login does not say it, and another device may change it.
    account.profile.on('own', ({ name }) => this.rename(entry, name));
    account.start();
    this.accountsMayHaveChanged();
    return entry;
  }

  /**
   * The user's name as the server has it (the account's profile reads it at each connection: a login does not say
   * it, and another device may change it), saved and shown (the window, the switcher, notifications).
   */
  private rename(entry: SignedIn, name: string): void {
    if (!name || name === entry.session.name || this.signedIn.get(entry.key) !== entry) return;
    entry.session.name = name;
    const saved = this.saved.sessions.find((s) => accountKey(s.serverUrl, s.userId) === entry.key);
    if (saved) saved.name = name;
    this.persist();
    if (this.activeKey === entry.key) this.events.emit('session:changed', this.sessionView());
    this.accountsMayHaveChanged();
  }

  /** Remembers the sessions (tokens of signed-in accounts, the others without) and which one is active. */
  private persist(): void {
    this.saved.active = this.activeKey;
    this.sessionFile.saveAll(this.saved);
  }

  /** The window now shows another account (or none): it refetches everything, as after signing in. */
  private announceActive(): void {
    const entry = this.active();
    this.events.emit('session:changed', this.sessionView());
    this.events.emit('connection:changed', entry?.account.connectionView() ?? { state: 'offline', reason: 'signed out', queued: 0 });
    // What the server announced to this account (a new sign-in has not heard yet: its hello will tell).
    const limits = entry?.account.conn.limits;
    if (limits) this.events.emit('limits:changed', limitsView(limits));
    this.accountsMayHaveChanged();
  }

  /**
   * Signs one account out cleanly: its data, queued messages included, stays for the next sign-in. With `revoke`
   * (the user signed out, the server did not end the session) the token is then revoked on the server, best
   * effort: signing out completes offline too, and the token is forgotten here either way. When it was the
   * active account, the next signed-in one becomes active (or the sign-in screen shows).
   */
  private async signOut(key: string, _reason: string, revoke = false): Promise<void> {
    const entry = this.signedIn.get(key);
    if (!entry) return;
    this.signedIn.delete(key);
    const { token, serverUrl } = entry.session;
    // Remembered without its token, last: the sign-in form offers it again.
    this.saved.sessions = [...this.saved.sessions.filter((s) => accountKey(s.serverUrl, s.userId) !== key), { serverUrl, userId: entry.session.userId, name: entry.session.name }];
    const wasActive = this.activeKey === key;
    if (wasActive) this.activeKey = this.firstKey();
    this.persist();
    // Closed first, so the revocation does not come back as a 4403 on a connection still open.
    await entry.account.close();
    if (wasActive) this.announceActive();
    else this.accountsMayHaveChanged();
    if (revoke) {
      await logout(serverUrl, token, LOGOUT_TIMEOUT_MS).catch((error: unknown) =>
        this.log.warn({ err: describeError(error) }, 'token not revoked on the server (signed out here anyway)'),
      );
    }
  }

  /** A new sign-in (first account, another one, or the same again with a new token): it becomes active. */
  private async signIn(serverUrl: string, userId: string, name: string, token: string): Promise<SessionView> {
    const key = accountKey(serverUrl, userId);
    const previous = this.signedIn.get(key);
    // The same account again: its new token replaces the old one's session on this device, in the same place of
    // the list (openAccount below replaces the entry).
    if (previous) await previous.account.close();
    const session = { serverUrl, userId, name, token };
    // Saved in the switcher's order: in its place when it was signed in, else last (as it is added now).
    const at = this.saved.sessions.findIndex((s) => accountKey(s.serverUrl, s.userId) === key);
    if (previous && at >= 0) this.saved.sessions[at] = session;
    else this.saved.sessions = [...this.saved.sessions.filter((_, i) => i !== at), session];
    this.openAccount(session);
    this.activeKey = key;
    this.persist();
    this.announceActive();
    return this.sessionView();
  }

  /** Shows another signed-in account. */
  private switchTo(key: string): SessionView {
    if (!this.signedIn.has(key)) throw new IpcError('NOT_FOUND', 'no signed-in account with that key');
    if (this.activeKey !== key) {
      this.activeKey = key;
      this.persist();
      this.announceActive();
    }
    return this.sessionView();
  }

  /** The name a login did not tell: the user's own, once the server answers (then saved and shown). */
  private knownName(serverUrl: string, userId: string): string {
    return this.saved.sessions.find((s) => s.serverUrl === serverUrl && s.userId === userId)?.name ?? userId;
  }

  /** A request that needs the server: OFFLINE when there is no connection or no answer. */
  private async askOn<O extends Op>(account: Account, op: O, body: OpRequest<O>): Promise<OpResult<O>> {
    try {
      return await account.conn.request(op, body);
    } catch (error) {
      if (error instanceof NoAnswerError) throw new IpcError('OFFLINE', 'the server cannot be reached right now');
      throw error;
    }
  }

  /** The handler table acting on the account `scope` returns (the active one for the window's table). */
  private createHandlers(scope: () => SignedIn | null): ApiHandlers {
    const need = (): Account => {
      const entry = scope();
      if (!entry) throw new IpcError('UNAUTHENTICATED', 'not signed in');
      return entry.account;
    };
    const ask = <O extends Op>(op: O, body: OpRequest<O>): Promise<OpResult<O>> => this.askOn(need(), op, body);
    return {
      'session.get': async () => this.sessionView(scope()),
      'auth.register': async ({ serverUrl, userId, password, name, inviteCode }) => {
        const { token } = await this.reach(() => register(serverUrl, userId, password, name, inviteCode));
        return this.signIn(serverUrl, userId, name, token);
      },
      'auth.login': async ({ serverUrl, userId, password }) => {
        const { token } = await this.reach(() => login(serverUrl, userId, password));
        return this.signIn(serverUrl, userId, this.knownName(serverUrl, userId), token);
      },
      'auth.logout': async () => {
        const entry = scope();
        if (entry) await this.signOut(entry.key, 'signed out', true);
      },
      'auth.changePassword': async ({ oldPassword, newPassword }) => {
        need();
        const { session } = scope()!;
        await this.reach(() => changePassword(session.serverUrl, session.token, oldPassword, newPassword));
      },
      'accounts.list': async () => ({ accounts: this.accountViews() }),
      'accounts.switch': async ({ key }) => this.switchTo(key),
      'devices.list': async () => ask('devices.list', {}),
      'devices.revoke': async (arg) => void (await ask('devices.revoke', arg)),
      'devices.revokeOthers': async () => ask('devices.revokeOthers', {}),
      'connection.get': async () => scope()?.account.connectionView() ?? { state: 'offline', reason: 'signed out', queued: 0 },
      'connection.retry': async () => need().conn.connectNow(),
      'server.limits': async () => limitsView(scope()?.account.conn.limits ?? null),

      'conversations.list': async () => ({ conversations: need().store.listConversations().map(conversationView) }),
      // The hosts track the open conversation for notifications (see notify/notifier.ts).
      'conversation.open': async () => undefined,
      'conversation.update': async ({ convId, muted, pinned }) => {
        const account = need();
        await ask('conv.update', { convId, muted, pinned });
        account.store.updateConversation(convId, { muted, pinned });
        account.emitConversations([convId]);
      },
      'conversation.markRead': async ({ convId, seq }) => need().markRead(convId, seq),
      'conversation.setDraft': async ({ convId, text }) => {
        const account = need();
        account.store.setDraft(convId, text);
        account.emitConversations([convId]);
      },
      'conversation.startPrivate': async ({ userId }) => {
        const account = need();
        if (userId === account.userId) throw new IpcError('BAD_REQUEST', 'you cannot start a chat with yourself');
        const convId = privateConvId(account.userId, userId);
        if (account.conn.online) {
          const { users } = await ask('users.get', { userIds: [userId] });
          if (users.length === 0) throw new ProtocolError('NOT_FOUND', `no user ${userId}`);
          account.store.ensureConversation(convId, users[0]!.name);
        } else {
          account.store.ensureConversation(convId, userId);
        }
        account.emitConversations([convId]);
        return { convId };
      },

      'conversation.delete': async ({ convId }) => {
        const account = need();
        const conversation = account.store.getConversation(convId);
        if (!conversation) throw new ProtocolError('NOT_FOUND', 'no such conversation');
        // Anything the server still lists would come back with the next sync: only former groups go.
        if (!conversation.left) throw new IpcError('BAD_REQUEST', 'only a group you are no longer in can be deleted');
        account.forget(convId);
      },

      'messages.list': async ({ convId, beforeSeq, afterSeq, limit = 50 }) => {
        const store = need().store;
        if (afterSeq !== undefined) {
          const page = store.listMessages(convId, { beforeSeq: afterSeq + limit + 1, limit });
          return { messages: page.filter((m) => m.seq !== null && m.seq > afterSeq).map(messageView) };
        }
        return { messages: store.listMessages(convId, { beforeSeq, limit }).map(messageView) };
      },
      'messages.around': async ({ convId, seq, limit = 50 }) => ({
        messages: need()
          .store.listMessages(convId, { beforeSeq: seq + Math.ceil(limit / 2) + 1, limit })
          .map(messageView),
      }),
      'messages.send': async ({ convId, kind, body, replyTo, mentions }) => {
        const stored = need().compose({ convId, kind, body: body as Record<string, unknown>, replyTo, mentions });
        return { clientMsgId: stored.clientMsgId! };
      },
      'messages.sendFile': async ({ convId, name, mime, data, kind, width, height, durationMs, replyTo }) => {
        const account = need();
        const clientMsgId = crypto.randomUUID();
        const localPath = await account.keepAttachment(clientMsgId, data);
        const chosen = kind ?? kindForMime(mime);
        const size = data.byteLength;
        const body: Record<string, unknown> =
          chosen === 'image'
            ? { name, size, mime, width: width ?? 0, height: height ?? 0 }
            : chosen === 'voice'
              ? { durationMs: durationMs ?? 0 }
              : { name, size, mime };
        account.compose({ convId, kind: chosen, body, replyTo }, { localPath, name, mime, size }, clientMsgId);
        return { clientMsgId };
      },
      'messages.retry': async ({ clientMsgId }) => need().retry(clientMsgId),
      'messages.delete': async ({ clientMsgId }) => need().discard(clientMsgId),
      'messages.recall': async ({ convId, seq }) => need().recall(convId, seq),
      'messages.edit': async ({ convId, seq, text }) => need().edit(convId, seq, text),
      'typing.send': async ({ convId }) => {
        await ask('typing', { convId }).catch(() => undefined); // best effort
      },
      // Access is decided by the server for the signed-in user; the cache holds only what it allowed.
      'files.read': async ({ fileId, want }) => {
        const account = need();
        return this.reach(() => account.readFile(fileId, want));
      },

      'search.query': async ({ query, convId, from, since, until, limit }) => ({
        hits: need()
          .store.search(query, { convId, from, since, until, limit })
          .map(searchHitView)
          .filter((h) => h !== null),
      }),

      'users.get': async ({ userIds }) => {
        const account = need();
        const answer = await this.askOn(account, 'users.get', { userIds });
        // The avatars named here are the administrators' URLs avatars.read may fetch for this account.
        account.profile.noteUsers(answer.users);
        return answer;
      },
      'users.block': async ({ userId }) => void (await ask('block', { userId })),
      'users.unblock': async ({ userId }) => void (await ask('unblock', { userId })),
      'users.blocked': async () => ask('blocks', {}),
      ...peopleHandlers(need),

      ...profileHandlers({ need, reach: (fn) => this.reach(fn) }),

      'groups.create': async (arg) => {
        const { groupId, notAdded } = await ask('group.create', arg);
        return notAdded?.length ? { groupId, convId: groupConvId(groupId), notAdded } : { groupId, convId: groupConvId(groupId) };
      },
      'group.info': async (arg) => ask('group.info', arg),
      'group.members': async (arg) => ask('group.members', arg),
      'group.invite': async (arg) => {
        const { notAdded } = await ask('group.invite', arg);
        return notAdded?.length ? { notAdded } : {};
      },
      'group.kick': async (arg) => void (await ask('group.kick', arg)),
      'group.join': async (arg) => ask('group.join', arg),
      'group.requests': async (arg) => ask('group.requests', arg),
      'group.approve': async (arg) => void (await ask('group.approve', arg)),
      'group.reject': async (arg) => void (await ask('group.reject', arg)),
      'group.leave': async (arg) => void (await ask('group.leave', arg)),
      'group.dismiss': async (arg) => void (await ask('group.dismiss', arg)),
      'group.update': async (arg) => void (await ask('group.update', arg)),
      'group.transfer': async (arg) => void (await ask('group.transfer', arg)),
      'group.setAdmins': async (arg) => void (await ask('group.admins', arg)),
      'group.mute': async (arg) => void (await ask('group.mute', arg)),
      'group.readCount': async (arg) => ask('group.readCount', arg),

      'rooms.list': async () => ask('room.list', {}),
      'room.join': async ({ roomId }) => {
        const account = need();
        return this.reach(() => account.joinRoom(roomId));
      },
      'room.leave': async ({ roomId }) => need().leaveRoom(roomId),

      'settings.get': async () => this.settings.get(),
      'settings.set': async (patch) => {
        const next = this.settings.set(patch);
        this.events.emit('settings:changed', next);
        return next;
      },

      'app.info': async () => this.desktop.info(),
      'desktop.get': async () => this.desktop.settings(),
      'desktop.set': async (patch) => this.desktop.setSettings(patch),
      'updates.get': async () => this.desktop.updates(),
      'updates.check': async () => this.desktop.checkForUpdates(),
      'updates.restart': async () => this.desktop.restartToUpdate(),
    };
  }

  /** Runs a call to the server that is more than one request (HTTP, or a request and what follows); no answer becomes OFFLINE. */
  private async reach<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof NoAnswerError) throw new IpcError('OFFLINE', error.message);
      if (!(error instanceof ProtocolError)) this.log.error({ err: describeError(error) }, 'server call failed');
      throw error;
    }
  }
}
