/**
 * An in-memory `Api` for component tests and the demo page: never part of the app bundle (the app always
 * uses window.api). It behaves like main closely enough for the UI: sends, edits and recalls are queued and
 * acknowledged (or fail, or wait while "offline"), conversations update, events fire. Every call is recorded
 * in `calls`.
 *
 * A conversation may be synthetic (`count` + `make(seq)`), so a 100,000-message history costs nothing until
 * pages of it are asked for.
 */
import type {
  Api,
  AppInfo,
  AvatarImage,
  DesktopSettings,
  DeviceView,
  FileWant,
  UpdateView,
  ApiErrorCode,
  ApiEventName,
  ApiEvents,
  ConnectionView,
  ConversationView,
  LimitsView,
  MessagePreview,
  MessageView,
  SearchHit,
  SessionView,
  Settings,
  SystemNoticeBody,
  UserView,
} from '../../../preload/api-types';
import { DEFAULT_LIMITS, PREVIEW_MAX_BYTES, isInlineImage, type RegisterRefusal } from '../../../protocol/pure.js';
import type { FakeContext } from './fake-context';
import { createFakeAccounts, type FakeAccountSpec } from './fake-accounts';
import { createFakeChanges } from './fake-changes';
import { createFakeContacts, type FakeContactsSpec } from './fake-contacts';
import { createFakeDevices } from './fake-devices';
import { createFakeGroups, type FakeGroupSpec } from './fake-groups';
import { createFakeProfile } from './fake-profile';
import { createFakeRooms, type FakeRoomSpec } from './fake-rooms';

export interface FakeLog {
  /** Synthetic history: seqs 1..count are made on demand. */
  count?: number;
  make?: (seq: number) => MessageView;
  messages?: MessageView[];
}

export interface FakeApiOptions {
  session?: SessionView;
  settings?: Settings;
  connection?: ConnectionView;
  conversations?: ConversationView[];
  logs?: Record<string, FakeLog>;
  users?: UserView[];
  /** Acknowledge sends after this many ms (null: never, they stay pending). Default 10. */
  ackDelayMs?: number | null;
  /** Acknowledge (or refuse) edits and recalls after this many ms (null: never). Default: ackDelayMs. */
  changeDelayMs?: number | null;
  /** Files files.read serves, by fileId: the bytes and the server's type; `size` stands in for a larger file's. */
  files?: Record<string, { data: Uint8Array; mime: string; size?: number }>;
  now?: () => number;
  appInfo?: Partial<AppInfo>;
  groups?: FakeGroupSpec[];
  /** Users who blocked the signed-in user: group.create and group.invite do not add them (`notAdded`). */
  blockedBy?: string[];
  rooms?: FakeRoomSpec[];
  /** The account's signed-in devices (default: this one only). */
  devices?: DeviceView[];
  /** Avatar images avatars.read serves, by avatar value (a user's `avatar`); uploads are added to them. */
  avatars?: Record<string, AvatarImage>;
  /** The server's limits `server.limits` answers (announced); the protocol's defaults for the rest. */
  limits?: Partial<Omit<LimitsView, 'announced'>>;
  /** Contacts, requests and public groups; the directory finds `users`. */
  people?: FakeContactsSpec;
  /** Other signed-in accounts, after the session's own (the account switcher). */
  accounts?: FakeAccountSpec[];
}

export interface FakeApi {
  api: Api;
  calls: Array<{ method: string; arg: unknown }>;
  emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void;
  /** Makes the next calls of `method` reject with this error code (and `reason`, as a refused registration has). */
  failNext(method: string, code: ApiErrorCode, times?: number, reason?: RegisterRefusal): void;
  /**
   * Makes the server refuse the next edit or recall: it is queued as usual, then ends `failed` with this
   * failure (as main reports a refusal that came back from the server).
   */
  refuseNextChange(code: ApiErrorCode, message?: string): void;
  /** A message from someone else arrives (as main would announce it). */
  receive(convId: string, from: string, text: string, extra?: Partial<MessageView>): MessageView;
  conversation(convId: string): ConversationView | undefined;
  messagesOf(convId: string): MessageView[];
  setConnection(view: ConnectionView): void;
  /** The server announced other limits: `server.limits` answers them and `limits:changed` tells. */
  setLimits(limits: Partial<Omit<LimitsView, 'announced'>>): void;
  /** Contact requests arriving from, or accepted by, other users. */
  people: Pick<ReturnType<typeof createFakeContacts>, 'receiveRequest' | 'accepted'>;
  /** Messages arrive for a background account (by key, `userId@host`): its unread count rises. */
  receiveInBackground(accountKey: string, count?: number): void;
}

export function apiError(code: ApiErrorCode, message: string = code): { name: 'ApiError'; code: ApiErrorCode; message: string } {
  return { name: 'ApiError', code, message };
}

const DEFAULT_SETTINGS: Settings = { language: 'en', theme: 'light', notifications: { enabled: true, sound: false, preview: true } };

export function textMessage(convId: string, seq: number | null, from: string, text: string, ts: number, extra: Partial<MessageView> = {}): MessageView {
  return {
    convId,
    seq,
    clientMsgId: `c-${convId}-${seq ?? Math.random().toString(36).slice(2)}`,
    from,
    ts,
    status: seq === null ? 'pending' : 'sent',
    recalled: false,
    edited: false,
    kind: 'text',
    body: { text },
    ...extra,
  } as MessageView;
}

/** The preview main would make of a message, for the conversation list. */
export function messagePreview(m: MessageView): MessagePreview {
  const body = m.body as { text?: string; name?: string; label?: string };
  const preview: MessagePreview = {
    from: m.from,
    kind: m.kind,
    ts: m.ts,
    text: m.kind === 'system' || m.recalled ? '' : (body.text ?? body.name ?? body.label ?? ''),
    recalled: m.recalled,
    status: m.status,
  };
  if (m.mentions?.length && !m.recalled) preview.mentions = m.mentions;
  if (m.kind === 'system') preview.system = m.body as SystemNoticeBody;
  return preview;
}

export function createFakeApi(options: FakeApiOptions = {}): FakeApi {
  const now = options.now ?? Date.now;
  let session: SessionView = options.session ?? { state: 'signed-in', userId: 'me', name: 'Me', serverUrl: 'http://127.0.0.1:8080' };
  let settings: Settings = structuredClone(options.settings ?? DEFAULT_SETTINGS);
  let connection: ConnectionView = options.connection ?? { state: 'online', queued: 0 };
  let limits: LimitsView = { ...DEFAULT_LIMITS, ...options.limits, announced: true };
  let desktop: DesktopSettings = { openAtLogin: false, updateChannel: 'stable' };
  const update: UpdateView = { state: 'idle', supported: false, channel: 'stable', currentVersion: '0.0.0-test' };
  const conversations = new Map<string, ConversationView>((options.conversations ?? []).map((c) => [c.convId, { ...c }]));
  const users = new Map<string, UserView>((options.users ?? []).map((u) => [u.userId, u]));
  const blocked = new Set<string>();
  const files = new Map(Object.entries(options.files ?? {}));
  const ackDelay = options.ackDelayMs === undefined ? 10 : options.ackDelayMs;
  const changeDelay = options.changeDelayMs === undefined ? ackDelay : options.changeDelayMs;
  const calls: FakeApi['calls'] = [];
  const failures = new Map<string, { code: ApiErrorCode; times: number; reason?: RegisterRefusal }>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let nextId = 1;

  interface Log {
    count: number;
    make: ((seq: number) => MessageView) | undefined;
    /** Messages past `count` and all pending ones; overrides of synthetic ones by seq. */
    tail: MessageView[];
    overrides: Map<number, MessageView>;
  }
  const logs = new Map<string, Log>();
  const logOf = (convId: string): Log => {
    let log = logs.get(convId);
    if (!log) {
      const spec = options.logs?.[convId];
      log = { count: spec?.count ?? 0, make: spec?.make, tail: [...(spec?.messages ?? [])], overrides: new Map() };
      logs.set(convId, log);
    }
    return log;
  };
  const bySeq = (log: Log, seq: number): MessageView | undefined => {
    if (seq <= log.count && log.make) return log.overrides.get(seq) ?? log.make(seq);
    return log.tail.find((m) => m.seq === seq);
  };
  const lastSeqOf = (log: Log): number => {
    let last = log.count;
    for (const m of log.tail) if (m.seq !== null && m.seq > last) last = m.seq;
    return last;
  };
  const range = (log: Log, from: number, to: number): MessageView[] => {
    const out: MessageView[] = [];
    for (let seq = Math.max(1, from); seq <= to; seq++) {
      const m = bySeq(log, seq);
      if (m) out.push(m);
    }
    return out;
  };
  const pendingOf = (log: Log) => log.tail.filter((m) => m.seq === null);

  const emit = (event: string, payload: unknown) => {
    for (const l of [...(listeners.get(event) ?? [])]) l(payload);
  };

  const record = async <T>(method: string, arg: unknown, run: () => T | Promise<T>): Promise<T> => {
    calls.push({ method, arg });
    const failure = failures.get(method);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      throw failure.reason ? { ...apiError(failure.code), reason: failure.reason } : apiError(failure.code);
    }
    return run();
  };

  const touch = (convId: string, m: MessageView) => {
    const c = conversations.get(convId);
    if (!c) return;
    const next: ConversationView = {
      ...c,
      lastSeq: Math.max(c.lastSeq, m.seq ?? 0),
      updatedAt: m.ts,
      lastMessage: messagePreview(m),
    };
    if (m.from !== session.userId && m.seq !== null) next.unread = c.unread + 1;
    conversations.set(convId, next);
    emit('conversations:changed', { conversations: [next], removed: [] });
  };

  const acknowledge = (m: MessageView) => {
    const log = logOf(m.convId);
    if (connection.state !== 'online') return;
    const seq = lastSeqOf(log) + 1;
    const sent = { ...m, seq, status: 'sent', msgId: `m${seq}` } as MessageView;
    log.tail = log.tail.map((x) => (x.clientMsgId === m.clientMsgId ? sent : x));
    emit('message:updated', { message: sent });
    touch(m.convId, sent);
  };

  const enqueue = (m: MessageView) => {
    const log = logOf(m.convId);
    log.tail.push(m);
    emit('message:added', { message: m });
    touch(m.convId, m);
    if (ackDelay !== null) setTimeout(() => acknowledge(m), ackDelay);
  };

  const store = (m: MessageView) => {
    const log = logOf(m.convId);
    if (m.seq !== null && m.seq <= log.count && log.make) log.overrides.set(m.seq, m);
    else log.tail = log.tail.map((x) => (x.clientMsgId === m.clientMsgId ? m : x));
  };
  /** Stores and announces a message, and the list's preview when it is the conversation's last one. */
  const show = (m: MessageView) => {
    store(m);
    emit('message:updated', { message: m });
    const c = conversations.get(m.convId);
    if (c && m.seq !== null && m.seq === c.lastSeq) {
      const next = { ...c, lastMessage: messagePreview(m) };
      conversations.set(c.convId, next);
      emit('conversations:changed', { conversations: [next], removed: [] });
    }
  };
  const changes = createFakeChanges({
    selfId: () => session.userId ?? '',
    online: () => connection.state === 'online',
    delayMs: changeDelay,
    message: (convId, seq) => bySeq(logOf(convId), seq),
    show,
    nextId: () => nextId++,
    error: (code, message) => apiError(code, message),
  });

  const notFound = (method: string) => () => record(method, undefined, () => Promise.reject(apiError('NOT_FOUND', `${method} is not in the fake`)));

  const append: FakeContext['append'] = (convId, entry) => {
    const log = logOf(convId);
    const seq = lastSeqOf(log) + 1;
    const m = { convId, seq, clientMsgId: `in-${nextId++}`, ts: now(), status: 'sent', recalled: false, edited: false, ...entry } as MessageView;
    log.tail.push(m);
    emit('message:added', { message: m });
    touch(convId, m);
    return m;
  };
  const context: FakeContext = {
    selfId: () => session.userId ?? '',
    now,
    limits: () => limits,
    record,
    emit,
    error: (code, message) => apiError(code, message),
    conversations,
    users,
    append,
    upsertConversation(c) {
      conversations.set(c.convId, c);
      emit('conversations:changed', { conversations: [c], removed: [] });
    },
    removeConversation(convId) {
      conversations.delete(convId);
      logs.delete(convId);
      emit('messages:removed', { convId, clientMsgIds: [], all: true });
      emit('conversations:changed', { conversations: [], removed: [convId] });
    },
  };

  const sessions = createFakeDevices(context, options.devices);
  const people = createFakeContacts(context, options.people);
  const accounts = createFakeAccounts(
    {
      session: () => session,
      setSession: (next) => {
        session = next;
      },
      conversations,
      connection: () => connection,
      emit,
    },
    options.accounts,
  );
  const profiles = createFakeProfile(
    context,
    {
      sessionName: () => session.name ?? session.userId ?? '',
      renamed(name) {
        session = { ...session, name };
        emit('session:changed', session);
      },
    },
    options.avatars,
  );
  const api = {
    session: { get: () => record('session.get', {}, () => session) },
    accounts: {
      list: () => record('accounts.list', {}, () => accounts.list()),
      switch: (arg: { key: string }) => record('accounts.switch', arg, () => accounts.switchTo(arg.key)),
    },
    devices: sessions.devices,
    auth: {
      changePassword: sessions.changePassword,
      register: (arg: { serverUrl: string; userId: string; name: string }) =>
        record('auth.register', arg, () => {
          accounts.signedIn({ state: 'signed-in', userId: arg.userId, name: arg.name, serverUrl: arg.serverUrl });
          return session;
        }),
      login: (arg: { serverUrl: string; userId: string }) =>
        record('auth.login', arg, () => {
          // As main: the name is the one the server has, not the id typed in.
          accounts.signedIn({ state: 'signed-in', userId: arg.userId, name: users.get(arg.userId)?.name ?? arg.userId, serverUrl: arg.serverUrl });
          return session;
        }),
      logout: () => record('auth.logout', {}, () => accounts.signedOut()),
    },
    connection: {
      get: () => record('connection.get', {}, () => connection),
      retry: () => record('connection.retry', {}, () => undefined),
    },
    server: { limits: () => record('server.limits', {}, () => limits) },
    conversations: { list: () => record('conversations.list', {}, () => ({ conversations: [...conversations.values()] })) },
    conversation: {
      open: (arg: { convId: string | null }) => record('conversation.open', arg, () => undefined),
      update: (arg: { convId: string; muted?: boolean; pinned?: boolean }) =>
        record('conversation.update', arg, () => {
          const c = conversations.get(arg.convId);
          if (!c) throw apiError('NOT_FOUND');
          const next = { ...c, ...(arg.muted !== undefined ? { muted: arg.muted } : {}), ...(arg.pinned !== undefined ? { pinned: arg.pinned } : {}) };
          conversations.set(c.convId, next);
          emit('conversations:changed', { conversations: [next], removed: [] });
        }),
      markRead: (arg: { convId: string; seq: number }) =>
        record('conversation.markRead', arg, () => {
          const c = conversations.get(arg.convId);
          if (!c) return;
          const readSeq = Math.max(c.readSeq, Math.min(arg.seq, c.lastSeq));
          const next = { ...c, readSeq, unread: readSeq >= c.lastSeq ? 0 : c.unread, mentioned: readSeq >= c.lastSeq ? false : c.mentioned };
          conversations.set(c.convId, next);
          emit('conversations:changed', { conversations: [next], removed: [] });
        }),
      setDraft: (arg: { convId: string; text: string }) =>
        record('conversation.setDraft', arg, () => {
          const c = conversations.get(arg.convId);
          if (c) conversations.set(c.convId, { ...c, draft: arg.text });
        }),
      startPrivate: (arg: { userId: string }) =>
        record('conversation.startPrivate', arg, () => {
          const self = session.userId ?? 'me';
          const convId = self < arg.userId ? `p:${self}|${arg.userId}` : `p:${arg.userId}|${self}`;
          if (!conversations.has(convId)) {
            const c: ConversationView = {
              convId, kind: 'private', title: users.get(arg.userId)?.name ?? arg.userId, lastSeq: 0, readSeq: 0, peerReadSeq: 0,
              unread: 0, mentioned: false, muted: false, pinned: false, updatedAt: now(), lastMessage: null, draft: '',
            };
            conversations.set(convId, c);
            emit('conversations:changed', { conversations: [c], removed: [] });
          }
          return { convId };
        }),
      delete: (arg: { convId: string }) =>
        record('conversation.delete', arg, () => {
          const c = conversations.get(arg.convId);
          if (!c) throw apiError('NOT_FOUND');
          if (!c.left) throw apiError('BAD_REQUEST', 'only a group you are no longer in can be deleted');
          context.removeConversation(arg.convId);
        }),
    },
    messages: {
      list: (arg: { convId: string; beforeSeq?: number; afterSeq?: number; limit?: number }) =>
        record('messages.list', arg, () => {
          const log = logOf(arg.convId);
          const limit = arg.limit ?? 50;
          const last = lastSeqOf(log);
          if (arg.beforeSeq !== undefined) return { messages: range(log, arg.beforeSeq - limit, arg.beforeSeq - 1) };
          if (arg.afterSeq !== undefined) return { messages: range(log, arg.afterSeq + 1, Math.min(last, arg.afterSeq + limit)) };
          return { messages: [...range(log, last - limit + 1, last), ...pendingOf(log)] };
        }),
      around: (arg: { convId: string; seq: number; limit?: number }) =>
        record('messages.around', arg, () => {
          const log = logOf(arg.convId);
          const limit = arg.limit ?? 50;
          const before = Math.floor((limit - 1) / 2);
          const from = Math.max(1, arg.seq - before);
          return { messages: range(log, from, Math.min(lastSeqOf(log), from + limit - 1)) };
        }),
      send: (arg: { convId: string; kind: 'text'; body: { text: string }; replyTo?: number }) =>
        record('messages.send', arg, () => {
          const m = textMessage(arg.convId, null, session.userId ?? 'me', arg.body.text, now(), {
            clientMsgId: `local-${nextId++}`,
            ...(arg.replyTo !== undefined ? { replyTo: arg.replyTo } : {}),
          });
          enqueue(m);
          return { clientMsgId: m.clientMsgId };
        }),
      sendFile: (arg: { convId: string; name: string; mime: string; data: Uint8Array; kind?: 'file' | 'image' | 'voice'; width?: number; height?: number }) =>
        record('messages.sendFile', arg, () => {
          const clientMsgId = `local-${nextId++}`;
          const kind = arg.kind ?? (arg.mime.startsWith('image/') ? 'image' : 'file');
          const fileId = `f${nextId++}`;
          files.set(fileId, { data: arg.data, mime: arg.mime });
          const body = kind === 'image'
            ? { fileId, name: arg.name, size: arg.data.byteLength, mime: arg.mime, width: arg.width ?? 0, height: arg.height ?? 0 }
            : { fileId, name: arg.name, size: arg.data.byteLength, mime: arg.mime };
          const m = { convId: arg.convId, seq: null, clientMsgId, from: session.userId ?? 'me', ts: now(), status: 'pending', recalled: false, edited: false, kind, body } as MessageView;
          enqueue(m);
          return { clientMsgId };
        }),
      retry: (arg: { clientMsgId: string }) =>
        record('messages.retry', arg, () => {
          if (changes.has(arg.clientMsgId)) return changes.retry(arg.clientMsgId);
          for (const log of logs.values()) {
            const m = log.tail.find((x) => x.clientMsgId === arg.clientMsgId);
            if (!m) continue;
            const pending = { ...m, status: 'pending', failure: undefined } as MessageView;
            log.tail = log.tail.map((x) => (x === m ? pending : x));
            emit('message:updated', { message: pending });
            if (ackDelay !== null) setTimeout(() => acknowledge(pending), ackDelay);
          }
        }),
      delete: (arg: { clientMsgId: string }) =>
        record('messages.delete', arg, () => {
          if (changes.has(arg.clientMsgId)) return changes.discard(arg.clientMsgId);
          for (const [convId, log] of logs) {
            if (!log.tail.some((x) => x.clientMsgId === arg.clientMsgId)) continue;
            log.tail = log.tail.filter((x) => x.clientMsgId !== arg.clientMsgId);
            emit('messages:removed', { convId, clientMsgIds: [arg.clientMsgId] });
          }
        }),
      recall: (arg: { convId: string; seq: number }) => record('messages.recall', arg, () => changes.queue('recall', arg.convId, arg.seq)),
      edit: (arg: { convId: string; seq: number; text: string }) => record('messages.edit', arg, () => changes.queue('edit', arg.convId, arg.seq, arg.text)),
    },
    typing: { send: (arg: { convId: string }) => record('typing.send', arg, () => undefined) },
    files: {
      read: (arg: { convId: string; fileId: string; want?: FileWant }) =>
        record('files.read', arg, () => {
          const f = files.get(arg.fileId);
          if (!f) throw apiError('NOT_FOUND');
          const view = { mime: f.mime, size: f.size ?? f.data.byteLength };
          // As main decides: from the (server's) type and size, never from the message.
          const wanted = arg.want === 'info' ? false : arg.want === 'preview' ? isInlineImage(view.mime) && view.size <= PREVIEW_MAX_BYTES : true;
          return { ...view, data: wanted ? f.data : null };
        }),
    },
    search: {
      query: (arg: { query: string; convId?: string; limit?: number }) =>
        record('search.query', arg, () => {
          const q = arg.query.toLowerCase();
          const hits: SearchHit[] = [];
          for (const convId of new Set([...Object.keys(options.logs ?? {}), ...logs.keys()])) {
            const log = logOf(convId);
            if (arg.convId && arg.convId !== convId) continue;
            const all = [...(log.make ? range(log, Math.max(1, log.count - 2000), log.count) : []), ...log.tail];
            for (const m of all) {
              const text = (m.body as { text?: string }).text;
              if (!text || m.recalled) continue;
              const at = text.toLowerCase().indexOf(q);
              if (at < 0 || m.seq === null) continue;
              hits.push({ convId, seq: m.seq, from: m.from, ts: m.ts, snippet: { text, ranges: [[at, at + q.length]] }, ...(m.mentions ? { mentions: m.mentions } : {}), rank: -m.ts });
            }
          }
          hits.sort((a, b) => a.rank - b.rank);
          return { hits: hits.slice(0, arg.limit ?? 50) };
        }),
    },
    users: {
      get: (arg: { userIds: string[] }) => record('users.get', arg, () => ({ users: arg.userIds.map((id) => users.get(id)).filter((u): u is UserView => !!u) })),
      block: (arg: { userId: string }) => record('users.block', arg, () => void blocked.add(arg.userId)),
      unblock: (arg: { userId: string }) => record('users.unblock', arg, () => void blocked.delete(arg.userId)),
      blocked: () => record('users.blocked', {}, () => ({ userIds: [...blocked] })),
    },
    ...profiles,
    ...createFakeGroups(context, options.groups, options.blockedBy),
    ...createFakeRooms(context, options.rooms),
    ...people.api,
    settings: {
      get: () => record('settings.get', {}, () => settings),
      set: (arg: Partial<Omit<Settings, 'notifications'>> & { notifications?: Partial<Settings['notifications']> }) =>
        record('settings.set', arg, () => {
          settings = { ...settings, ...arg, notifications: { ...settings.notifications, ...arg.notifications } } as Settings;
          emit('settings:changed', settings);
          return settings;
        }),
    },
    app: {
      info: () => record('app.info', {}, () => ({ version: '0.0.0-test', platform: 'linux', hostKind: 'host', openAtLoginSupported: false, ...options.appInfo })),
    },
    desktop: {
      get: () => record('desktop.get', {}, () => desktop),
      set: (arg: Partial<DesktopSettings>) =>
        record('desktop.set', arg, () => {
          desktop = { ...desktop, ...arg };
          emit('desktop:changed', desktop);
          return desktop;
        }),
    },
    updates: {
      get: () => record('updates.get', {}, () => update),
      check: () => record('updates.check', {}, () => update),
      restart: () => record('updates.restart', {}, () => undefined),
    },
    on: (event: string, listener: (p: unknown) => void) => {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };

  // Methods added to the contract later than this fake answer NOT_FOUND instead of crashing the UI.
  const withFallback = new Proxy(api, {
    get(target, group: string) {
      const known = (target as Record<string, unknown>)[group];
      if (known) return known;
      return new Proxy({}, { get: (_, name: string) => notFound(`${group}.${name}`) });
    },
  }) as unknown as Api;

  return {
    api: withFallback,
    calls,
    emit: (event, payload) => emit(event, payload),
    people: { receiveRequest: people.receiveRequest, accepted: people.accepted },
    failNext(method, code, times = 1, reason) {
      failures.set(method, reason ? { code, times, reason } : { code, times });
    },
    refuseNextChange(code, message = code) {
      changes.refuseNext(code, message);
    },
    receive(convId, from, text, extra = {}) {
      return append(convId, { from, kind: 'text', body: { text }, ...(extra as Partial<Omit<MessageView, 'kind' | 'body'>>) });
    },
    conversation: (convId) => conversations.get(convId),
    messagesOf(convId) {
      const log = logOf(convId);
      return [...range(log, 1, lastSeqOf(log)), ...pendingOf(log)];
    },
    receiveInBackground: (key, count) => accounts.receiveInBackground(key, count),
    setLimits(patch) {
      limits = { ...limits, ...patch, announced: true };
      emit('limits:changed', limits);
    },
    setConnection(view) {
      connection = view;
      emit('connection:changed', view);
      if (view.state === 'online') {
        for (const log of logs.values()) for (const m of pendingOf(log)) if (m.status === 'pending') acknowledge(m);
        changes.settleAll();
      }
    },
  };
}
