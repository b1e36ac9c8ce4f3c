/**
 * The desktop app outside its UI, in plain Node: the session, the signed-in account, app settings, and
 * the handler table of the IPC contract. The Electron layer and host mode both serve exactly this.
 */
import {
  ProtocolError,
  groupConvId,
  privateConvId,
  type Op,
  type OpRequest,
  type OpResult,
} from '../../../protocol/index.js';
import type { ApiHandlers, SessionView } from '../../../preload/contract.js';
import { IpcError } from '../ipc/errors.js';
import { plainDesktopServices, type DesktopServices, type DesktopServicesFactory } from '../launcher/desktop-services.js';
import { createEventBus, type ApiEventBus } from '../ipc/event-bus.js';
import { describeError, silentLogger, type Logger } from '../ipc/logger.js';
import { Account } from './account.js';
import { AppSettings } from './app-settings.js';
import { changePassword, login, logout, register } from './http-client.js';
import { peopleHandlers } from './people-handlers.js';
import { NoAnswerError } from './server-connection.js';
import { SessionFile, plainBox, type SavedSession, type SecretBox } from './session-file.js';
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

/** How long signing out waits for the server to revoke the token before giving up on it. */
const LOGOUT_TIMEOUT_MS = 3_000;

function kindForMime(mime: string): 'image' | 'file' {
  return /^image\/(png|jpe?g|gif|webp|bmp|avif)$/.test(mime) ? 'image' : 'file';
}

export class ClientCore {
  readonly events: ApiEventBus;
  readonly handlers: ApiHandlers;
  private readonly sessionFile: SessionFile;
  private readonly settings: AppSettings;
  private readonly desktop: DesktopServices;
  private readonly log: Logger;
  private account: Account | null = null;
  private session: SavedSession | null = null;
  private deviceId: string;

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
    this.handlers = this.createHandlers();
  }

  /** Resumes the saved session, if any. */
  start(): void {
    this.session = this.sessionFile.load();
    if (this.session?.token) this.openAccount({ ...this.session, token: this.session.token });
  }

  async stop(): Promise<void> {
    await this.account?.close();
    this.account = null;
  }

  /** The signed-in account (for the hosts: badge counts, flushing the outbox before an update). */
  get current(): Account | null {
    return this.account;
  }

  /** The OS reports the network back, or the window regained focus after a sleep: try at once. */
  networkMayBeBack(): void {
    this.account?.conn.connectNow();
  }

  private sessionView(): SessionView {
    const s = this.session;
    if (!s || !this.account) return s ? { state: 'signed-out', userId: s.userId, serverUrl: s.serverUrl } : { state: 'signed-out' };
    return { state: 'signed-in', userId: s.userId, serverUrl: s.serverUrl, name: s.name };
  }

  private openAccount(session: SavedSession & { token: string }): void {
    const dir = this.sessionFile.accountDir(session.serverUrl, session.userId);
    const account = new Account({
      session,
      dir,
      device: { id: this.deviceId, platform: this.options.platform ?? process.platform, app: `parley-desktop/${this.options.appVersion ?? '0'}` },
      events: this.events,
      nativeBinding: this.options.nativeBinding,
      log: this.log,
      backoff: this.options.backoff,
      fileCacheMaxBytes: this.options.fileCacheMaxBytes,
      onAuthFailed: (reason, revoked) => {
        this.log.warn({ revoked }, 'session ended by the server');
        void this.signOut(revoked ? 'session revoked' : reason);
      },
    });
    this.account = account;
    account.conn.on('limits', (limits) => this.events.emit('limits:changed', limitsView(limits)));
    account.conn.on('malformed', ({ problem }) => this.log.warn({ problem }, 'the server sent something outside the protocol; dropped'));
    account.start();
  }

  /**
   * Signs out cleanly: the account's data, queued messages included, stays for the next sign-in. With `revoke`
   * (the user signed out, the server did not end the session) the token is then revoked on the server, best
   * effort: signing out completes offline too, and the token is forgotten here either way.
   */
  private async signOut(_reason: string, revoke = false): Promise<void> {
    const account = this.account;
    const token = this.session?.token;
    const serverUrl = this.session?.serverUrl;
    this.account = null;
    this.sessionFile.signOut();
    this.session = this.sessionFile.load();
    // Closed first, so the revocation does not come back as a 4403 on a connection still open.
    await account?.close();
    this.events.emit('session:changed', this.sessionView());
    this.events.emit('connection:changed', { state: 'offline', reason: 'signed out', queued: 0 });
    if (revoke && token && serverUrl) {
      await logout(serverUrl, token, LOGOUT_TIMEOUT_MS).catch((error: unknown) =>
        this.log.warn({ err: describeError(error) }, 'token not revoked on the server (signed out here anyway)'),
      );
    }
  }

  private async signIn(serverUrl: string, userId: string, name: string, token: string): Promise<SessionView> {
    await this.account?.close();
    this.account = null;
    this.session = { serverUrl, userId, name, token };
    this.sessionFile.save(this.session);
    this.openAccount({ serverUrl, userId, name, token });
    const view = this.sessionView();
    this.events.emit('session:changed', view);
    return view;
  }

  private need(): Account {
    if (!this.account) throw new IpcError('UNAUTHENTICATED', 'not signed in');
    return this.account;
  }

  /** A request that needs the server: OFFLINE when there is no connection or no answer. */
  private async ask<O extends Op>(op: O, body: OpRequest<O>): Promise<OpResult<O>> {
    const account = this.need();
    try {
      return await account.conn.request(op, body);
    } catch (error) {
      if (error instanceof NoAnswerError) throw new IpcError('OFFLINE', 'the server cannot be reached right now');
      throw error;
    }
  }

  private createHandlers(): ApiHandlers {
    return {
      'session.get': async () => this.sessionView(),
      'auth.register': async ({ serverUrl, userId, password, name, inviteCode }) => {
        const { token } = await this.reach(() => register(serverUrl, userId, password, name, inviteCode));
        return this.signIn(serverUrl, userId, name, token);
      },
      'auth.login': async ({ serverUrl, userId, password }) => {
        const { token } = await this.reach(() => login(serverUrl, userId, password));
        return this.signIn(serverUrl, userId, userId, token);
      },
      'auth.logout': async () => this.signOut('signed out', true),
      'auth.changePassword': async ({ oldPassword, newPassword }) => {
        const account = this.need();
        await this.reach(() => changePassword(account.serverUrl, this.session!.token!, oldPassword, newPassword));
      },
      'devices.list': async () => this.ask('devices.list', {}),
      'devices.revoke': async (arg) => void (await this.ask('devices.revoke', arg)),
      'devices.revokeOthers': async () => this.ask('devices.revokeOthers', {}),
      'connection.get': async () => this.account?.connectionView() ?? { state: 'offline', reason: 'signed out', queued: 0 },
      'connection.retry': async () => {
        this.need();
        this.networkMayBeBack();
      },
      'server.limits': async () => limitsView(this.account?.conn.limits ?? null),

      'conversations.list': async () => ({ conversations: this.need().store.listConversations().map(conversationView) }),
      // The hosts track the open conversation for notifications (see notify/notifier.ts).
      'conversation.open': async () => undefined,
      'conversation.update': async ({ convId, muted, pinned }) => {
        const account = this.need();
        await this.ask('conv.update', { convId, muted, pinned });
        account.store.updateConversation(convId, { muted, pinned });
        account.emitConversations([convId]);
      },
      'conversation.markRead': async ({ convId, seq }) => this.need().markRead(convId, seq),
      'conversation.setDraft': async ({ convId, text }) => {
        const account = this.need();
        account.store.setDraft(convId, text);
        account.emitConversations([convId]);
      },
      'conversation.startPrivate': async ({ userId }) => {
        const account = this.need();
        if (userId === account.userId) throw new IpcError('BAD_REQUEST', 'you cannot start a chat with yourself');
        const convId = privateConvId(account.userId, userId);
        if (account.conn.online) {
          const { users } = await this.ask('users.get', { userIds: [userId] });
          if (users.length === 0) throw new ProtocolError('NOT_FOUND', `no user ${userId}`);
          account.store.ensureConversation(convId, users[0]!.name);
        } else {
          account.store.ensureConversation(convId, userId);
        }
        account.emitConversations([convId]);
        return { convId };
      },

      'conversation.delete': async ({ convId }) => {
        const account = this.need();
        const conversation = account.store.getConversation(convId);
        if (!conversation) throw new ProtocolError('NOT_FOUND', 'no such conversation');
        // Anything the server still lists would come back with the next sync: only former groups go.
        if (!conversation.left) throw new IpcError('BAD_REQUEST', 'only a group you are no longer in can be deleted');
        account.forget(convId);
      },

      'messages.list': async ({ convId, beforeSeq, afterSeq, limit = 50 }) => {
        const store = this.need().store;
        if (afterSeq !== undefined) {
          const page = store.listMessages(convId, { beforeSeq: afterSeq + limit + 1, limit });
          return { messages: page.filter((m) => m.seq !== null && m.seq > afterSeq).map(messageView) };
        }
        return { messages: store.listMessages(convId, { beforeSeq, limit }).map(messageView) };
      },
      'messages.around': async ({ convId, seq, limit = 50 }) => ({
        messages: this.need()
          .store.listMessages(convId, { beforeSeq: seq + Math.ceil(limit / 2) + 1, limit })
          .map(messageView),
      }),
      'messages.send': async ({ convId, kind, body, replyTo, mentions }) => {
        const stored = this.need().compose({ convId, kind, body: body as Record<string, unknown>, replyTo, mentions });
        return { clientMsgId: stored.clientMsgId! };
      },
      'messages.sendFile': async ({ convId, name, mime, data, kind, width, height, durationMs, replyTo }) => {
        const account = this.need();
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
      'messages.retry': async ({ clientMsgId }) => this.need().retry(clientMsgId),
      'messages.delete': async ({ clientMsgId }) => this.need().discard(clientMsgId),
      'messages.recall': async ({ convId, seq }) => this.need().recall(convId, seq),
      'messages.edit': async ({ convId, seq, text }) => this.need().edit(convId, seq, text),
      'typing.send': async ({ convId }) => {
        await this.ask('typing', { convId }).catch(() => undefined); // best effort
      },
      // Access is decided by the server for the signed-in user; the cache holds only what it allowed.
      'files.read': async ({ fileId, want }) => {
        const account = this.need();
        return this.reach(() => account.readFile(fileId, want));
      },

      'search.query': async ({ query, convId, from, since, until, limit }) => ({
        hits: this.need()
          .store.search(query, { convId, from, since, until, limit })
          .map(searchHitView)
          .filter((h) => h !== null),
      }),

      'users.get': async ({ userIds }) => this.ask('users.get', { userIds }),
      'users.block': async ({ userId }) => void (await this.ask('block', { userId })),
      'users.unblock': async ({ userId }) => void (await this.ask('unblock', { userId })),
      'users.blocked': async () => this.ask('blocks', {}),
      ...peopleHandlers(() => this.need()),

      'groups.create': async (arg) => {
        const { groupId, notAdded } = await this.ask('group.create', arg);
        return notAdded?.length ? { groupId, convId: groupConvId(groupId), notAdded } : { groupId, convId: groupConvId(groupId) };
      },
      'group.info': async (arg) => this.ask('group.info', arg),
      'group.members': async (arg) => this.ask('group.members', arg),
      'group.invite': async (arg) => {
        const { notAdded } = await this.ask('group.invite', arg);
        return notAdded?.length ? { notAdded } : {};
      },
      'group.kick': async (arg) => void (await this.ask('group.kick', arg)),
      'group.join': async (arg) => this.ask('group.join', arg),
      'group.requests': async (arg) => this.ask('group.requests', arg),
      'group.approve': async (arg) => void (await this.ask('group.approve', arg)),
      'group.reject': async (arg) => void (await this.ask('group.reject', arg)),
      'group.leave': async (arg) => void (await this.ask('group.leave', arg)),
      'group.dismiss': async (arg) => void (await this.ask('group.dismiss', arg)),
      'group.update': async (arg) => void (await this.ask('group.update', arg)),
      'group.transfer': async (arg) => void (await this.ask('group.transfer', arg)),
      'group.setAdmins': async (arg) => void (await this.ask('group.admins', arg)),
      'group.mute': async (arg) => void (await this.ask('group.mute', arg)),
      'group.readCount': async (arg) => this.ask('group.readCount', arg),

      'rooms.list': async () => this.ask('room.list', {}),
      'room.join': async ({ roomId }) => {
        const account = this.need();
        return this.reach(() => account.joinRoom(roomId));
      },
      'room.leave': async ({ roomId }) => this.need().leaveRoom(roomId),

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
