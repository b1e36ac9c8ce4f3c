/**
 * The IPC contract between the renderer and main, written once (CONTRIBUTING.md, "How we write code" 2–4).
 *
 * - `API_METHODS`: every method the renderer may call, with the TypeBox schema of its one argument (main
 *   validates it: the renderer is untrusted) and its result type (a phantom, types only).
 * - `API_EVENTS`: every event main pushes, named `noun:verb-ed`, with its payload type.
 * - The channel names of both transports (Electron IPC, host-mode WebSocket).
 *
 * Main implements `ApiHandlers` (a missing handler is a compile error), preload and the host bridge build
 * `Api` from the same lists, and the renderer reads the types. Nothing here imports Node, Electron or DOM.
 */
import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import {
  ClientMsgId,
  ConvId,
  CustomBody,
  FileId,
  LocationBody,
  MAX_TEXT,
  Mentions,
  Seq,
  TextBody,
  UserId,
  type EntryBodies,
  type EntryKind,
} from '../protocol/entries.js';
import type { ErrorCode } from '../protocol/errors.js';
import { DEFAULT_MAX_AVATAR_BYTES, INVITE_CODE_PATTERN, REGISTER_REFUSALS, type AvatarSizeName, type RegisterRefusal } from '../protocol/http.js';
import { CodePointString } from '../protocol/kinds.js';
import type { ServerLimits } from '../protocol/limits.js';
import {
  REQUESTS,
  type ConvKindName,
  type DeviceSession,
  type GroupInfo,
  type GroupListing,
  type GroupRole,
  type UserInfo,
} from '../protocol/ops.js';

// ---------------------------------------------------------------------------------------------------------
// Values that cross the boundary

export type ApiErrorCode = ErrorCode | 'UNAVAILABLE' | 'OFFLINE';
/**
 * `UNAVAILABLE`: the app process could not be reached or went away before answering (host mode: the host
 * restarted). `OFFLINE`: the operation needs the server and there is no connection.
 */
export const LOCAL_ERROR_CODES = ['UNAVAILABLE', 'OFFLINE'] as const satisfies readonly ApiErrorCode[];

export interface ApiErrorBody {
  code: ApiErrorCode;
  message: string;
  retryAfterMs?: number;
  /** Why a registration was refused, when the server said (docs/protocol.md part 2, "Registration and login"). */
  reason?: RegisterRefusal;
}

export function isRegisterRefusal(value: unknown): value is RegisterRefusal {
  return (REGISTER_REFUSALS as readonly unknown[]).includes(value);
}

/** How every result crosses the boundary (Signal style): errors are values, never thrown across. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

/**
 * What `window.api` rejects with. A plain object, not an Error subclass, because Electron's contextBridge
 * copies only the message of an Error; both hosts reject with this same shape so the renderer can't tell them
 * apart. Test with `isApiError`.
 */
export interface ApiError extends ApiErrorBody {
  name: 'ApiError';
}

export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.name === 'ApiError' && typeof v.code === 'string' && typeof v.message === 'string';
}

export function apiError(body: ApiErrorBody): ApiError {
  const error: ApiError = { name: 'ApiError', code: body.code, message: body.message };
  if (typeof body.retryAfterMs === 'number') error.retryAfterMs = body.retryAfterMs;
  if (isRegisterRefusal(body.reason)) error.reason = body.reason;
  return error;
}

// ---------------------------------------------------------------------------------------------------------
// Views: what main shows the renderer (not the wire entries of docs/protocol.md)

export interface SessionView {
  state: 'signed-out' | 'signed-in';
  userId?: string;
  serverUrl?: string;
  name?: string;
}

/**
 * One signed-in account of the app (several can be, each with its own connection and data): the window shows
 * the `active` one, the others keep receiving in the background.
 */
export interface AccountView {
  /** Stable while the account is signed in here: what `accounts.switch` takes. */
  key: string;
  userId: string;
  serverUrl: string;
  name: string;
  active: boolean;
  /** Unread messages that count towards the badge (muted conversations without a mention do not). */
  unread: number;
  connection: ConnectionView['state'];
}

/** A signed-in device of the account (the server's devices.list, as it is). */
export type DeviceView = DeviceSession;

export interface ConnectionView {
  state: 'connecting' | 'online' | 'offline';
  /** Why the connection is not online, for display ("server unreachable", "signed in elsewhere"). */
  reason?: string;
  /** When the next reconnect attempt is due (ms since epoch). */
  nextRetryAt?: number;
  /** Messages in the outbox waiting for the server. */
  queued: number;
}

/**
 * What the signed-in user's server allows (docs/protocol.md: `hello`'s `limits`): the recall window, text length,
 * group size and the rest, so the UI offers only what this server accepts. Until the server has answered a hello
 * (signed out, or not connected yet since the app started) and for what an older server does not announce, the
 * protocol's defaults (`announced` false before the first hello).
 */
export interface LimitsView extends ServerLimits {
  announced: boolean;
}

export type MessageStatus = 'pending' | 'failed' | 'sent';

/** The last message of a conversation, reduced to what a list row shows. */
export interface MessagePreview {
  from: string;
  kind: EntryKind;
  ts: number;
  /** The text of a text message (may be cut, the latest edit's), a file's name, a location's label; otherwise ''. */
  text: string;
  recalled: boolean;
  status: MessageStatus;
  /** Who the message mentions (user ids, or '@all'): `@id` in `text` reads as the user's name. */
  mentions?: string[];
  /** A system entry's body ({event, actor, targets, …}), for the same sentence the conversation shows. */
  system?: SystemNoticeBody;
}

/** The body of a `system` entry: what happened, who did it, to whom, and event-specific details. */
export type SystemNoticeBody = { event: string; actor?: string; targets?: string[] } & Record<string, unknown>;

/**
 * An edit or recall of a message that the server has not acknowledged yet (queued in the outbox, or refused).
 * `messages.retry` and `messages.delete` take its clientMsgId.
 */
export interface PendingChangeView {
  kind: 'edit' | 'recall';
  clientMsgId: string;
  status: 'pending' | 'failed';
  /** Why a `failed` change failed. */
  failure?: ApiErrorBody;
}

export interface ConversationView {
  convId: string;
  kind: ConvKindName;
  title: string;
  avatar?: string;
  lastSeq: number;
  readSeq: number;
  /** Private chats: the highest seq the peer has read. */
  peerReadSeq?: number;
  unread: number;
  /** An unread message mentions the user (or @all). */
  mentioned: boolean;
  muted: boolean;
  pinned: boolean;
  updatedAt: number;
  lastMessage: MessagePreview | null;
  draft: string;
  /**
   * Groups: the user is no longer a member (left, kicked, or the group was dismissed). The conversation
   * and what it held stay readable; nothing new arrives and nothing can be sent.
   */
  left?: boolean;
}

/** A group member as the group screens show them. */
export interface GroupMemberView {
  userId: string;
  role: GroupRole;
  /** Present while the member is muted: when that ends (ms since epoch). */
  mutedUntil?: number;
}

export interface RoomView {
  roomId: string;
  name: string;
  /** Users with at least one connection in the room. */
  online: number;
}

/**
 * Why the user is out of a chatroom they did not leave here: `deleted` by an administrator (or gone when
 * re-joining after a reconnect), `idle` closed for inactivity, `switched` the user joined another room on
 * another device.
 */
export type RoomLeftReason = 'deleted' | 'idle' | 'switched';

export type { GroupInfo, GroupRole };

/** Bodies as the renderer sees them: a file not yet uploaded has no fileId. */
export type ViewBodies = {
  [K in EntryKind]: K extends 'image' | 'file' | 'voice'
    ? Omit<EntryBodies[K], 'fileId'> & { fileId?: string }
    : EntryBodies[K];
};

interface MessageViewBase {
  convId: string;
  /** Null until the server acknowledged the message. */
  seq: number | null;
  clientMsgId: string;
  msgId?: string;
  from: string;
  ts: number;
  status: MessageStatus;
  /** Why a `failed` message failed. */
  failure?: ApiErrorBody;
  recalled: boolean;
  edited: boolean;
  replyTo?: number;
  mentions?: string[];
  /**
   * The user's latest edit or recall of this message, while the server has not acknowledged it. A pending
   * edit is already shown: `body.text` is the new text and `edited` is true; a failed one is not.
   */
  change?: PendingChangeView;
}

/** A message, discriminated by kind. A recalled message has an empty body. */
export type MessageView = {
  [K in EntryKind]: MessageViewBase & { kind: K; body: ViewBodies[K] | Record<string, never> };
}[EntryKind];

export type UserView = UserInfo;

/** The signed-in user's own profile: `avatar` as in UserInfo (absent: none), `status` '' when there is none. */
export interface ProfileView {
  userId: string;
  name: string;
  avatar?: string;
  status: string;
}

/** An avatar's image as main fetched it (the renderer shows it through a blob: URL). */
export interface AvatarImage {
  bytes: Uint8Array;
  mime: string;
}

export type { AvatarSizeName };

export interface SearchHit {
  convId: string;
  seq: number;
  from: string;
  ts: number;
  /** `ranges` are [start, end) offsets into `text` in UTF-16 code units (JavaScript string indices). */
  snippet: { text: string; ranges: Array<[number, number]> };
  /** Who the message mentions: `@id` in the snippet reads as the user's name. */
  mentions?: string[];
  /** Lower is better. */
  rank: number;
}

/** A contact with what is known of them (the profile and presence last seen; kept offline too). */
export interface ContactView {
  userId: string;
  /** The user's own name for the contact ('' when none): shown before the contact's name. */
  remark: string;
  tags: string[];
  /** When they became contacts (ms since epoch). */
  since: number;
  name: string;
  avatar?: string;
  status?: string;
  online: boolean;
  lastSeen: number;
}

/** A pending contact request: `in` asks the user, `out` was sent by the user. */
export interface ContactRequestView {
  userId: string;
  direction: 'in' | 'out';
  message: string;
  ts: number;
  name: string;
  avatar?: string;
}

/**
 * The user's contacts and pending requests; `supported` false: the server has no contacts (everything empty).
 * `messaging`: who may message whom privately on this server (`contacts`: only contacts), as its last hello said.
 */
export interface ContactsView {
  contacts: ContactView[];
  requests: ContactRequestView[];
  supported: boolean;
  messaging: 'anyone' | 'contacts';
}

/** A public group as the directory lists it. */
export type GroupListingView = GroupListing;

export type Language = 'zh-CN' | 'en' | 'system';
export type Theme = 'light' | 'dark' | 'system';

export interface NotificationSettings {
  enabled: boolean;
  sound: boolean;
  /** Show message text in notifications. */
  preview: boolean;
}

export interface Settings {
  language: Language;
  theme: Theme;
  notifications: NotificationSettings;
}

/** For hosts without system notifications: the renderer shows an in-app toast. */
export interface NotificationRequest {
  /** A newer notification with the same tag replaces the older one (one per conversation). */
  tag: string;
  convId: string;
  title: string;
  body: string;
  /** Messages this notification stands for (bursts are coalesced). */
  count: number;
  mentioned: boolean;
  silent: boolean;
  /** The account it is for (AccountView.key): clicking it switches there first when it is not the active one. */
  accountKey?: string;
}

// ---------------------------------------------------------------------------------------------------------
// The app itself: how it runs, its desktop preferences, its updates

/** Where the app runs: the Electron desktop app, or host mode (the same UI in a browser). */
export interface AppInfo {
  version: string;
  /** Node's platform name: 'win32', 'darwin', 'linux'. */
  platform: string;
  hostKind: 'electron' | 'host';
  /** The server the sign-in form suggests (e.g. the local server `npm start` runs); absent: none. */
  defaultServerUrl?: string;
  /** Whether `desktop.set({openAtLogin})` has an effect here (the desktop app: yes; host mode: no). */
  openAtLoginSupported: boolean;
}

export type UpdateChannel = 'stable' | 'beta';

/** Preferences of the desktop app itself (not of an account), remembered across launches. */
export interface DesktopSettings {
  /** Start Parley when the user logs in to the computer. */
  openAtLogin: boolean;
  updateChannel: UpdateChannel;
}

/**
 * The updater. `idle`: up to date (or not checked yet); `checking`; `downloading` (in the background);
 * `ready`: `version` is downloaded, offer "Restart to update" (updates.restart); `error`: the last check or
 * download failed (`error` says why, quietly) and is retried at `nextCheckAt`.
 */
export interface UpdateView {
  state: 'idle' | 'checking' | 'downloading' | 'ready' | 'error';
  /** False where this copy cannot update itself (host mode, a development run, a build without an update URL). */
  supported: boolean;
  channel: UpdateChannel;
  currentVersion: string;
  /** The version being downloaded or ready to install. */
  version?: string;
  /** 0–1 while downloading, when known. */
  progress?: number;
  error?: string;
  lastCheckedAt?: number;
  nextCheckAt?: number;
}

/**
 * How much of a file `files.read` loads: `bytes` (to show or save), `preview` (the bytes only of an image, by
 * the server's record, small enough to show by itself), `info` (the server's record alone).
 */
export type FileWant = 'bytes' | 'preview' | 'info';

/** A file as main read it: the server's record of its type and size, and its bytes unless not wanted. */
export interface FileView {
  mime: string;
  size: number;
  data: Uint8Array | null;
}

// ---------------------------------------------------------------------------------------------------------
// Argument schemas

/** Arguments are closed objects: unknown keys from the untrusted side are refused, not ignored. */
const Arg = <P extends TProperties>(props: P): TObject<P> => Type.Object(props, { additionalProperties: false });
/** A protocol request schema, closed. Reused so limits are stated once, in protocol/. */
const Closed = <P extends TProperties>(schema: TObject<P>): TObject<P> => Arg(schema.properties);

const NoArg = Arg({});
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 100 }));
const SeqOrZero = Type.Integer({ minimum: 0 });
const Timestamp = Type.Integer({ minimum: 0 });
const ServerUrl = Type.String({ maxLength: 2048, pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$' });
export const MAX_FILE_BYTES = 100 * 1024 * 1024;

const SendCommon = {
  convId: ConvId,
  replyTo: Type.Optional(Seq),
  mentions: Type.Optional(Mentions),
};

const SettingsPatch = Arg({
  language: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en'), Type.Literal('system')])),
  theme: Type.Optional(Type.Union([Type.Literal('light'), Type.Literal('dark'), Type.Literal('system')])),
  notifications: Type.Optional(
    Arg({
      enabled: Type.Optional(Type.Boolean()),
      sound: Type.Optional(Type.Boolean()),
      preview: Type.Optional(Type.Boolean()),
    }),
  ),
});

const DesktopSettingsPatch = Arg({
  openAtLogin: Type.Optional(Type.Boolean()),
  updateChannel: Type.Optional(Type.Union([Type.Literal('stable'), Type.Literal('beta')])),
});

// ---------------------------------------------------------------------------------------------------------
// The method list

declare const phantom: unique symbol;
/** Carries a type and nothing at run time. */
export interface Phantom<T> {
  readonly [phantom]?: T;
}
const returns = <T>(): Phantom<T> => ({});
const payload = <T>(): Phantom<T> => ({});

export interface MethodSpec<A extends TSchema = TSchema, R = unknown> {
  readonly arg: A;
  readonly result: Phantom<R>;
}
const method = <A extends TSchema, R>(arg: A, result: Phantom<R>): MethodSpec<A, R> => ({ arg, result });

export const API_METHODS = {
  // session
  'session.get': method(NoArg, returns<SessionView>()),
  'auth.register': method(
    Arg({
      serverUrl: ServerUrl,
      userId: UserId,
      password: Type.String({ minLength: 8, maxLength: 256 }),
      name: CodePointString(64, 1),
      /** For a server whose registration is by invite code. */
      inviteCode: Type.Optional(Type.String({ pattern: INVITE_CODE_PATTERN })),
    }),
    returns<SessionView>(),
  ),
  'auth.login': method(
    Arg({ serverUrl: ServerUrl, userId: UserId, password: Type.String({ minLength: 1, maxLength: 256 }) }),
    returns<SessionView>(),
  ),
  /**
   * Signs out the active account: the token is revoked on the server when it can be reached, and forgotten here
   * in any case. The next signed-in account, if any, becomes active.
   */
  'auth.logout': method(NoArg, returns<void>()),
  /** Changes the password; the server signs out every other device. */
  'auth.changePassword': method(
    Arg({ oldPassword: Type.String({ minLength: 1, maxLength: 256 }), newPassword: Type.String({ minLength: 8, maxLength: 256 }) }),
    returns<void>(),
  ),
  // several accounts: auth.login / auth.register while signed in add one (or switch to it, when already here)
  'accounts.list': method(NoArg, returns<{ accounts: AccountView[] }>()),
  /** Makes another signed-in account the one the window shows; session:changed follows. */
  'accounts.switch': method(Arg({ key: Type.String({ minLength: 3, maxLength: 400 }) }), returns<SessionView>()),
  'devices.list': method(NoArg, returns<{ devices: DeviceView[] }>()),
  /** Signs out one other device. */
  'devices.revoke': method(Closed(REQUESTS['devices.revoke']), returns<void>()),
  /** Signs out every other device. */
  'devices.revokeOthers': method(NoArg, returns<{ revoked: number }>()),
  'connection.get': method(NoArg, returns<ConnectionView>()),
  /** Try to reach the server now instead of at the next scheduled attempt (the banner's "Retry now"). */
  'connection.retry': method(NoArg, returns<void>()),
  /** The server's limits (recall window, text length, group size…); `limits:changed` tells when they change. */
  'server.limits': method(NoArg, returns<LimitsView>()),

  // conversations
  'conversations.list': method(NoArg, returns<{ conversations: ConversationView[] }>()),
  /** Which conversation the window shows (null: none), so it is not notified about. */
  'conversation.open': method(Arg({ convId: Type.Union([ConvId, Type.Null()]) }), returns<void>()),
  'conversation.update': method(Closed(REQUESTS['conv.update']), returns<void>()),
  'conversation.markRead': method(Arg({ convId: ConvId, seq: SeqOrZero }), returns<void>()),
  'conversation.setDraft': method(Arg({ convId: ConvId, text: CodePointString(MAX_TEXT) }), returns<void>()),
  'conversation.startPrivate': method(Arg({ userId: UserId }), returns<{ convId: string }>()),
  /** Deletes the local copy of a group the user is no longer in (`left`); other conversations: BAD_REQUEST. */
  'conversation.delete': method(Arg({ convId: ConvId }), returns<void>()),

  // messages
  /** Ascending by seq. Neither bound: the latest `limit`, followed by pending ones. */
  'messages.list': method(
    Arg({ convId: ConvId, beforeSeq: Type.Optional(Seq), afterSeq: Type.Optional(SeqOrZero), limit: Limit }),
    returns<{ messages: MessageView[] }>(),
  ),
  /** Messages around `seq`, for jumping to a search hit. */
  'messages.around': method(Arg({ convId: ConvId, seq: Seq, limit: Limit }), returns<{ messages: MessageView[] }>()),
  'messages.send': method(
    Type.Union([
      Arg({ ...SendCommon, kind: Type.Literal('text'), body: TextBody }),
      Arg({ ...SendCommon, kind: Type.Literal('location'), body: LocationBody }),
      Arg({ ...SendCommon, kind: Type.Literal('custom'), body: CustomBody }),
    ]),
    returns<{ clientMsgId: string }>(),
  ),
  /** Uploads, then sends an `image`, `file` or `voice` message (kind defaults from mime: image/* → image). */
  'messages.sendFile': method(
    Arg({
      convId: ConvId,
      name: CodePointString(255, 1),
      mime: Type.String({ minLength: 1, maxLength: 255 }),
      data: Type.Uint8Array({ maxByteLength: MAX_FILE_BYTES }),
      kind: Type.Optional(Type.Union([Type.Literal('file'), Type.Literal('image'), Type.Literal('voice')])),
      width: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
      height: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
      durationMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 3600_000 })),
      replyTo: Type.Optional(Seq),
    }),
    returns<{ clientMsgId: string }>(),
  ),
  'messages.retry': method(Arg({ clientMsgId: ClientMsgId }), returns<void>()),
  /** Deletes the local copy (and cancels it if it is still in the outbox). */
  'messages.delete': method(Arg({ clientMsgId: ClientMsgId }), returns<void>()),
  /**
   * Recall and edit are queued in the outbox like messages (offline too) and go out in order after what was
   * composed before them; the message shows the change as pending (`change`) until the server acknowledges it.
   */
  'messages.recall': method(Arg({ convId: ConvId, seq: Seq }), returns<{ clientMsgId: string }>()),
  'messages.edit': method(Arg({ convId: ConvId, seq: Seq, text: CodePointString(MAX_TEXT, 1) }), returns<{ clientMsgId: string }>()),
  'typing.send': method(Arg({ convId: ConvId }), returns<void>()),
  /** A file's bytes, fetched by main (the renderer has no network); shown through a blob: URL. */
  'files.read': method(
    Arg({ convId: ConvId, fileId: FileId, want: Type.Optional(Type.Union([Type.Literal('bytes'), Type.Literal('preview'), Type.Literal('info')])) }),
    returns<FileView>(),
  ),

  // search
  'search.query': method(
    Arg({
      query: CodePointString(200, 1),
      convId: Type.Optional(ConvId),
      from: Type.Optional(UserId),
      since: Type.Optional(Timestamp),
      until: Type.Optional(Timestamp),
      limit: Limit,
    }),
    returns<{ hits: SearchHit[] }>(),
  ),

  // users
  'users.get': method(Closed(REQUESTS['users.get']), returns<{ users: UserView[] }>()),
  'users.block': method(Closed(REQUESTS.block), returns<void>()),
  'users.unblock': method(Closed(REQUESTS.unblock), returns<void>()),
  'users.blocked': method(NoArg, returns<{ userIds: string[] }>()),

  // your profile and avatars
  /** The server's record when it can be reached, else the last one known (the session's name at worst). */
  'profile.get': method(NoArg, returns<ProfileView>()),
  'profile.update': method(Closed(REQUESTS['profile.update']), returns<ProfileView>()),
  /** Uploads a new avatar; `crop` is the square to keep, in pixels of the image as displayed (the centred square without it). */
  'profile.setAvatar': method(
    Arg({
      data: Type.Uint8Array({ minByteLength: 1, maxByteLength: DEFAULT_MAX_AVATAR_BYTES }),
      mime: Type.String({ pattern: '^image/[a-z0-9.+-]{1,64}$' }),
      crop: Type.Optional(
        Arg({
          x: Type.Integer({ minimum: 0, maximum: 100_000 }),
          y: Type.Integer({ minimum: 0, maximum: 100_000 }),
          size: Type.Integer({ minimum: 1, maximum: 100_000 }),
        }),
      ),
    }),
    returns<ProfileView>(),
  ),
  'profile.removeAvatar': method(NoArg, returns<ProfileView>()),
  /**
   * An avatar's image, fetched by main (the renderer has no network): a `/v1/avatars/…` path from the account's
   * server, with the token, or an absolute http(s) URL an administrator set, without it; cached on disk.
   */
  'avatars.read': method(
    Arg({
      avatar: Type.String({ minLength: 1, maxLength: 2048 }),
      size: Type.Union([Type.Literal('list'), Type.Literal('profile')] satisfies Array<{ const: AvatarSizeName }>),
    }),
    returns<AvatarImage>(),
  ),

  // contacts and the directory
  /** Users by name or id (the exact id first); `nextCursor` pages on with the same query. */
  'directory.searchUsers': method(Closed(REQUESTS['users.search']), returns<{ users: UserView[]; nextCursor?: string }>()),
  /** Public groups by name or id. */
  'directory.searchGroups': method(Closed(REQUESTS['groups.search']), returns<{ groups: GroupListingView[]; nextCursor?: string }>()),
  /** From the local copy (offline too); `contacts:changed` follows every change. */
  'contacts.list': method(NoArg, returns<ContactsView>()),
  /** `contacts`: they are contacts now (they had asked first); `pending`: waits for the other user. */
  'contacts.request': method(Closed(REQUESTS['contacts.request']), returns<{ status: 'pending' | 'contacts' }>()),
  'contacts.accept': method(Closed(REQUESTS['contacts.accept']), returns<void>()),
  'contacts.decline': method(Closed(REQUESTS['contacts.decline']), returns<void>()),
  /** Drops an incoming request without telling the requester. */
  'contacts.ignore': method(Closed(REQUESTS['contacts.ignore']), returns<void>()),
  /** Withdraws the user's own pending request. */
  'contacts.cancel': method(Closed(REQUESTS['contacts.cancel']), returns<void>()),
  'contacts.remove': method(Closed(REQUESTS['contacts.remove']), returns<void>()),
  /** The user's remark and tags for a contact (seen by nobody else). */
  'contacts.update': method(Closed(REQUESTS['contacts.update']), returns<void>()),

  // groups: the protocol's group ops, for the UI's group screens
  /** `notAdded`: users named who could not be added (they blocked the user); absent when everyone was. */
  'groups.create': method(Closed(REQUESTS['group.create']), returns<{ groupId: string; convId: string; notAdded?: string[] }>()),
  'group.info': method(Closed(REQUESTS['group.info']), returns<GroupInfo>()),
  'group.members': method(Closed(REQUESTS['group.members']), returns<{ members: GroupMemberView[]; cursor?: string }>()),
  'group.invite': method(Closed(REQUESTS['group.invite']), returns<{ notAdded?: string[] }>()),
  'group.kick': method(Closed(REQUESTS['group.kick']), returns<void>()),
  'group.join': method(Closed(REQUESTS['group.join']), returns<{ status: 'joined' | 'pending' }>()),
  'group.requests': method(
    Closed(REQUESTS['group.requests']),
    returns<{ requests: Array<{ userId: string; note: string; ts: number }> }>(),
  ),
  'group.approve': method(Closed(REQUESTS['group.approve']), returns<void>()),
  'group.reject': method(Closed(REQUESTS['group.reject']), returns<void>()),
  'group.leave': method(Closed(REQUESTS['group.leave']), returns<void>()),
  'group.dismiss': method(Closed(REQUESTS['group.dismiss']), returns<void>()),
  'group.update': method(Closed(REQUESTS['group.update']), returns<void>()),
  'group.transfer': method(Closed(REQUESTS['group.transfer']), returns<void>()),
  'group.setAdmins': method(Closed(REQUESTS['group.admins']), returns<void>()),
  'group.mute': method(Closed(REQUESTS['group.mute']), returns<void>()),
  /** How many members other than the sender have read entry `seq`, out of how many (members only). */
  'group.readCount': method(Closed(REQUESTS['group.readCount']), returns<{ count: number; total: number }>()),

  // chatrooms
  'rooms.list': method(NoArg, returns<{ rooms: RoomView[] }>()),
  /** Joins (leaving the room the user was in), stores the latest 50 entries, and re-joins after reconnects. */
  'room.join': method(Closed(REQUESTS['room.join']), returns<{ convId: string; name: string }>()),
  /** Leaves and clears the room's local copy (closing the app clears it too). */
  'room.leave': method(Closed(REQUESTS['room.leave']), returns<void>()),

  // settings
  'settings.get': method(NoArg, returns<Settings>()),
  'settings.set': method(SettingsPatch, returns<Settings>()),

  // the app: launch information, desktop preferences, updates
  'app.info': method(NoArg, returns<AppInfo>()),
  'desktop.get': method(NoArg, returns<DesktopSettings>()),
  'desktop.set': method(DesktopSettingsPatch, returns<DesktopSettings>()),
  'updates.get': method(NoArg, returns<UpdateView>()),
  /** Checks now (e.g. a "Check for updates" button); the result also arrives as update:changed. */
  'updates.check': method(NoArg, returns<UpdateView>()),
  /** Installs the ready update: waits until no message is in flight, then quits and restarts. */
  'updates.restart': method(NoArg, returns<void>()),
} satisfies Record<`${string}.${string}`, MethodSpec>;

// ---------------------------------------------------------------------------------------------------------
// The event map

export const API_EVENTS = {
  /** The session changed, or the view may be stale (the bridge reconnected): refetch everything. */
  'session:changed': payload<SessionView>(),
  'connection:changed': payload<ConnectionView>(),
  /** The signed-in accounts, which one is active, their unread counts or connection states changed. */
  'accounts:changed': payload<{ accounts: AccountView[] }>(),
  /** The server announced other limits (the first hello after signing in, or a server restarted with new settings). */
  'limits:changed': payload<LimitsView>(),
  /** Upserts by convId, and conversations gone (left, kicked, dismissed, chatroom left). */
  'conversations:changed': payload<{ conversations: ConversationView[]; removed: string[] }>(),
  'message:added': payload<{ message: MessageView }>(),
  /** Acknowledged, failed, recalled, edited…: replaces the message with the same convId + clientMsgId. */
  'message:updated': payload<{ message: MessageView }>(),
  /** `all`: the conversation's local copy was cleared (a chatroom left). */
  'messages:removed': payload<{ convId: string; clientMsgIds: string[]; all?: boolean }>(),
  /** Who is typing now in the conversation (main expires them). */
  'typing:changed': payload<{ convId: string; userIds: string[] }>(),
  'presence:changed': payload<{ userId: string; online: boolean; lastSeen: number }>(),
  /** Users changed their name, avatar or status line (the server's `profile` events); replaces what was known of them. */
  'users:changed': payload<{ users: UserView[] }>(),
  /** The signed-in user's own profile changed (here, or on another of their devices). */
  'profile:changed': payload<ProfileView>(),
  'notification:requested': payload<NotificationRequest>(),
  /** A notification was clicked: show this conversation. */
  'conversation:focus-requested': payload<{ convId: string }>(),
  'upload:progress': payload<{ convId: string; clientMsgId: string; sentBytes: number; totalBytes: number }>(),
  'settings:changed': payload<Settings>(),
  'desktop:changed': payload<DesktopSettings>(),
  'update:changed': payload<UpdateView>(),
  /** To a group's owner and admins: someone asks to join (approve or reject with group.approve / group.reject). */
  'group:join-requested': payload<{ groupId: string; convId: string; userId: string; note: string; ts: number }>(),
  /** The user is no longer in the chatroom; its local copy is gone (messages:removed and conversations:changed follow). */
  'room:left': payload<{ roomId: string; convId: string; reason: RoomLeftReason }>(),
  /** The contacts or pending requests changed (the whole list), or what is known of a listed user. */
  'contacts:changed': payload<ContactsView>(),
} satisfies Record<`${string}:${string}`, Phantom<unknown>>;

// ---------------------------------------------------------------------------------------------------------
// Types derived from the lists

type Methods = typeof API_METHODS;
export type ApiMethod = keyof Methods;
export type ApiArg<M extends ApiMethod> = Static<Methods[M]['arg']>;
export type ApiReturn<M extends ApiMethod> = Methods[M]['result'] extends Phantom<infer R> ? R : never;
export type ApiMethods = { [M in ApiMethod]: { arg: ApiArg<M>; result: ApiReturn<M> } };

export type ApiEventName = keyof typeof API_EVENTS;
export type ApiEvents = { [E in ApiEventName]: (typeof API_EVENTS)[E] extends Phantom<infer P> ? P : never };

export const API_METHOD_NAMES = Object.keys(API_METHODS) as ApiMethod[];
export const API_EVENT_NAMES = Object.keys(API_EVENTS) as ApiEventName[];

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(API_METHODS, name);
}

export function isApiEventName(name: unknown): name is ApiEventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(API_EVENTS, name);
}

/**
 * Who is calling: the transport and a per-connection id (one Electron window, one host-mode tab); `main` is
 * main's own components (notifier, tray) reading through the same handlers.
 */
export interface CallContext {
  transport: 'electron' | 'host' | 'main';
  clientId: string;
}

/** What main implements: one handler per method; a missing one is a compile error. */
export type ApiHandlers = {
  [M in ApiMethod]: (arg: ApiArg<M>, ctx: CallContext) => Promise<ApiReturn<M>>;
};

// The renderer-facing interface: methods grouped by their first name part (`api.messages.send(…)`).
type Group<M> = M extends `${infer G}.${string}` ? G : never;
type MemberOf<M, G extends string> = M extends `${G}.${infer N}` ? N : never;
type HasRequiredKeys<T> = Partial<T> extends T ? false : true;

export type ApiFunction<M extends ApiMethod> =
  HasRequiredKeys<ApiArg<M>> extends true
    ? (arg: ApiArg<M>) => Promise<ApiReturn<M>>
    : (arg?: ApiArg<M>) => Promise<ApiReturn<M>>;

export type ApiListener<E extends ApiEventName> = (payload: ApiEvents[E]) => void;

export type Api = {
  readonly [G in Group<ApiMethod>]: {
    readonly [N in MemberOf<ApiMethod, G>]: ApiFunction<Extract<`${G}.${N}`, ApiMethod>>;
  };
} & {
  /** Subscribes to an event; returns the unsubscribe function. */
  readonly on: <E extends ApiEventName>(event: E, listener: ApiListener<E>) => () => void;
};

// ---------------------------------------------------------------------------------------------------------
// Channels: the only place their names are written

/** Electron: one invoke channel (main validates the method name) and one event channel. */
export const IPC_CHANNELS = { invoke: 'parley:invoke', event: 'parley:event' } as const;

/** Host mode: where the bridge connects and how it proves it was started by the host's own page. */
export const HOST_IPC = {
  /** WebSocket path on the host's origin. */
  path: '/ipc',
  /** Offered subprotocol; the host selects it. */
  protocol: 'parley.ipc.v1',
  /** The secret travels as a second offered subprotocol `parley.secret.<secret>` (not in the URL). */
  secretProtocolPrefix: 'parley.secret.',
  /** The page URL carries the secret in its fragment `#parley-secret=<secret>` (never sent to a server). */
  fragmentKey: 'parley-secret',
  /** Where the host serves the bridge script it injects into HTML pages. */
  bridgeScriptPath: '/__parley/host-bridge.js',
  /** Close code for a refused connection (bad secret or origin): the bridge does not retry. */
  refusedCloseCode: 4401,
} as const;
