/**
 * The storage interface: everything the server keeps. Narrow and asynchronous so that a PostgreSQL
 * implementation can replace the SQLite one without touching the rest of the server.
 */
import type { Contact, ContactEntry, ContactRequest, ConvKindName, EntryKind, LogEntry } from '../../../protocol/index.js';
import type { ContactDecision } from './contact-state.js';

export interface UserRecord {
  userId: string;
  name: string;
  avatar: string | null;
  /** The status line; '' when none. */
  status: string;
  passwordHash: string | null;
  createdAt: number;
  bannedUntil: number;
  lastSeen: number;
}

/** One stored size of an uploaded avatar (docs/protocol.md part 2, "Profiles"). */
export interface AvatarImage {
  /** Edge length in pixels. */
  size: number;
  mime: string;
  bytes: Buffer;
}

/** An uploaded avatar: `path` is what the user's `avatar` becomes (`/v1/avatars/<avatarId>`). */
export interface AvatarUpload {
  avatarId: string;
  path: string;
  images: readonly AvatarImage[];
}

export interface TokenRecord {
  userId: string;
  expiresAt: number;
  revoked: boolean;
}

/** The device a token was last used from (bound at hello). */
export interface TokenDevice {
  deviceId: string;
  platform: string;
  app: string;
}

/** A token was used at `seenAt`; with `device`, from that device (a hello). */
export interface TokenUse {
  tokenHash: string;
  seenAt: number;
  device?: TokenDevice;
}

/** A live (unrevoked, unexpired) token of a user, as the device list shows it. */
export interface SessionRecord {
  tokenHash: string;
  /** Null until the token has said hello. */
  deviceId: string | null;
  platform: string;
  app: string;
  createdAt: number;
  /** Its last hello or disconnect; 0 when it never connected. */
  lastSeen: number;
}

/** One entry to append; `seq` is assigned by the storage inside the committing transaction. */
/** The log entry an append stores for `item` at `seq` (mentions only when there are any, as both storages keep them). */
export function storedEntry(item: AppendItem, seq: number): LogEntry {
  const entry = { convId: item.convId, seq, msgId: item.msgId, clientMsgId: item.clientMsgId, from: item.from, ts: item.ts, kind: item.kind, body: item.body } as LogEntry;
  if (item.mentions && item.mentions.length > 0) entry.mentions = item.mentions;
  if (item.replyTo !== undefined) entry.replyTo = item.replyTo;
  return entry;
}

export interface AppendItem {
  convId: string;
  convKind: ConvKindName;
  /** Members to make sure of when the conversation is created (private chats: both users). */
  members: readonly string[];
  msgId: string;
  clientMsgId: string;
  from: string;
  ts: number;
  kind: EntryKind;
  body: Record<string, unknown>;
  mentions?: string[];
  replyTo?: number;
  /**
   * File ids the entry names; recorded so the conversation's members may read them and the file is kept. A file
   * collected meanwhile fails the append with NOT_FOUND.
   */
  fileIds?: string[];
  /**
   * Checked inside the storing transaction, so the check and the seq cannot be separated by a concurrent change:
   * `member` — the sender is an active member (a group send racing a kick fails FORBIDDEN instead of landing after
   * it); `room` — the chatroom still exists (NOT_FOUND once it is destroyed).
   */
  requires?: 'member' | 'room';
}

export type AppendOutcome =
  | { status: 'stored'; entry: LogEntry }
  /** A retry: the sender's clientMsgId was already stored; the original is returned and nothing is written. */
  | { status: 'duplicate'; entry: LogEntry }
  | { status: 'failed'; error: Error };

export interface ConversationRow {
  convId: string;
  kind: ConvKindName;
  lastSeq: number;
  readSeq: number;
  peerReadSeq: number | null;
  peerId: string | null;
  muted: boolean;
  pinned: boolean;
  updatedAt: number;
  lastMessage: LogEntry | null;
  /** Groups: the group's name (the conversation's title). */
  groupName: string | null;
}

export interface FileRecord {
  fileId: string;
  uploader: string;
  name: string;
  mime: string;
  size: number;
  createdAt: number;
}

/** Why a file was collected. */
export type CollectReason = 'unreferenced' | 'uploader-gone';

export interface CollectedFile {
  fileId: string;
  size: number;
  reason: CollectReason;
}

export type GroupRole = 'owner' | 'admin' | 'member';
export type JoinPolicyName = 'open' | 'approval' | 'invite';

export interface GroupRecord {
  groupId: string;
  name: string;
  announcement: string;
  joinPolicy: JoinPolicyName;
  mutedAllUntil: number;
  createdAt: number;
  /** 0 while the group exists. */
  dismissedAt: number;
  /** Listed by `groups.search` (docs/protocol.md part 2, "Directory"). */
  public: boolean;
}

export interface GroupMemberRecord {
  userId: string;
  role: GroupRole;
  /** group.mute of this member (0: may speak). */
  mutedUntil: number;
}

/** One change of a group, stored in one transaction together with the `system` entry that records it. */
export interface GroupChange {
  groupId: string;
  set?: Partial<Pick<GroupRecord, 'name' | 'announcement' | 'joinPolicy' | 'mutedAllUntil' | 'dismissedAt' | 'public'>>;
  /** Users to add, or to make active again (as plain members, not muted; their read position starts at the entry). */
  add?: readonly string[];
  /** Members to deactivate (left, kicked, dismissed). */
  remove?: readonly string[];
  roles?: ReadonlyArray<{ userId: string; role: GroupRole }>;
  mutes?: ReadonlyArray<{ userId: string; untilTs: number }>;
  /** Join requests to drop: of these users, or all of them. */
  dropRequests?: readonly string[] | 'all';
}

export interface JoinRequestRecord {
  userId: string;
  note: string;
  ts: number;
}

export interface RoomRecord {
  roomId: string;
  name: string;
  createdAt: number;
}

/** Per-member state of a conversation, for building each member's view of it at once. */
export interface MemberState {
  userId: string;
  readSeq: number;
  muted: boolean;
  pinned: boolean;
}

/** An invite code of registration mode `invite`. */
export interface InviteRecord {
  code: string;
  usesLeft: number;
  /** ms; null: no expiry. */
  expiresAt: number | null;
  createdAt: number;
}

export interface HistoryQuery {
  afterSeq?: number;
  beforeSeq?: number;
  limit: number;
}

/** A token bucket's refill: `rate` tokens a second (> 0), holding at most `burst`. */
export interface ThrottleLimit {
  rate: number;
  burst: number;
}

/**
 * Token buckets by key kept where every node sees them (services/rate-limit.ts, `sharedThrottles`). A key without
 * a bucket has a full one; each call is atomic however many nodes call at once. Answers are 0 (allowed) or the
 * milliseconds until the bucket holds what was asked.
 */
export interface SharedThrottles {
  /** Takes `cost` tokens when the bucket holds them (nothing otherwise); with `debt` takes them anyway and answers 0. */
  take(key: string, limit: ThrottleLimit, now: number, cost: number, debt: boolean): Promise<number>;
  /** The wait until the bucket holds `need` tokens, taking nothing. */
  peek(key: string, limit: ThrottleLimit, now: number, need: number): Promise<number>;
  /** Forgets the bucket (it is full again). */
  reset(key: string): Promise<void>;
  /** Forgets the buckets that are full again by `now` (the same as no bucket); the number forgotten. */
  prune(now: number): Promise<number>;
}

/**
 * A `users.search` (docs/protocol.md part 2, "Directory"). Results are ranked: 0 the user whose id is `id`, 1 users
 * whose id starts with `id`, 2 users whose folded name (name-fold.ts) contains `folded`; each rank in user id order,
 * and a page continues after `after`. Ranks 1 and 2 list only users who are discoverable, have not blocked the
 * searcher, and (scope `shared`) are a contact of the searcher, a contact of one of their contacts, or share a
 * conversation with the searcher; scope `none` lists rank 0 only. The searcher is never listed.
 */
export interface UserSearch {
  searcher: string;
  /** The query as an id ('' when it cannot be one: then nothing matches by id). */
  id: string;
  /** The folded query, matched as a substring of folded names. */
  folded: string;
  scope: 'all' | 'shared' | 'none';
  after?: { rank: number; id: string };
  limit: number;
}

/** A `groups.search`: rank 0 the public group whose id is `id`, rank 1 public groups whose folded name contains `folded`. */
export interface GroupSearch {
  id: string;
  folded: string;
  after?: { rank: number; id: string };
  limit: number;
}

export interface GroupListingRecord {
  group: GroupRecord;
  memberCount: number;
  rank: number;
}

export interface Storage {
  // users and tokens
  createUser(user: { userId: string; name: string; avatar?: string | null; passwordHash?: string | null }, now: number): Promise<boolean>;
  updateUser(user: { userId: string; name: string; avatar?: string | null }): Promise<boolean>;
  getUser(userId: string): Promise<UserRecord | null>;
  /** Sets the user's display name and/or status line; false when there is no such user. */
  updateProfile(userId: string, profile: { name?: string; status?: string }): Promise<boolean>;
  /**
   * Points the user at an uploaded avatar (null: none), storing its images and deleting those of the avatar it
   * replaces, in one transaction; false when there is no such user.
   */
  setAvatar(userId: string, avatar: AvatarUpload | null, now: number): Promise<boolean>;
  /** An uploaded avatar's image of one size, while it is some user's avatar. */
  getAvatarImage(avatarId: string, size: number): Promise<AvatarImage | null>;
  /** Who hears of the user's profile changes: everyone in a private chat or a group with them (chatrooms do not count). */
  profileAudience(userId: string): Promise<string[]>;
  getUsers(userIds: readonly string[]): Promise<UserRecord[]>;
  setBannedUntil(userId: string, untilTs: number): Promise<void>;
  /** Replaces the password hash only while it is still `oldHash` (a re-hash must not undo a password change). */
  replacePasswordHash(userId: string, oldHash: string, newHash: string): Promise<boolean>;
  setLastSeen(userId: string, ts: number): Promise<void>;
  /** The directory: see UserSearch. */
  searchUsers(search: UserSearch): Promise<Array<{ user: UserRecord; rank: number }>>;
  /** A hidden (not discoverable) user is found by exact id only; false when there is no such user. */
  setDiscoverable(userId: string, discoverable: boolean): Promise<boolean>;
  insertToken(tokenHash: string, userId: string, createdAt: number, expiresAt: number): Promise<void>;
  getToken(tokenHash: string): Promise<TokenRecord | null>;
  revokeUserTokens(userId: string): Promise<void>;
  /** Records, in one transaction, when tokens were used (last seen only moves forward) and from which device. */
  recordTokenUse(uses: readonly TokenUse[]): Promise<void>;
  /** The user's tokens neither revoked nor expired at `now`. */
  listSessions(userId: string, now: number): Promise<SessionRecord[]>;
  /** Revokes the named tokens of the user that are still live; returns those it revoked. */
  revokeTokens(userId: string, tokenHashes: readonly string[]): Promise<string[]>;
  /** Stores a new password hash and revokes every other token of the user, in one transaction; returns the revoked ones. */
  setPassword(userId: string, passwordHash: string, keepTokenHash: string): Promise<string[]>;
  /** Deletes the rows of tokens revoked, or expired before `expiredBefore`; returns how many. */
  pruneTokens(expiredBefore: number): Promise<number>;

  // invite codes (registration mode `invite`)
  createInvite(invite: InviteRecord): Promise<void>;
  listInvites(): Promise<InviteRecord[]>;
  /** False when there was no such code. */
  deleteInvite(code: string): Promise<boolean>;
  /** The code when it exists, has uses left and has not expired at `now`. */
  usableInvite(code: string, now: number): Promise<InviteRecord | null>;
  /**
   * Creates the user and takes one use of the invite code in one transaction: `invalid-invite` (nothing written)
   * when the code is unknown, used up or expired; `conflict` (nothing written, no use taken) when the id is taken.
   */
  createUserWithInvite(
    user: { userId: string; name: string; passwordHash: string },
    code: string,
    now: number,
  ): Promise<'created' | 'conflict' | 'invalid-invite'>;

  // the logs
  /** Appends the items in one transaction, in order; each gets the next seq of its conversation. */
  appendBatch(items: readonly AppendItem[]): Promise<AppendOutcome[]>;
  /** Erases entry `seq` (and edits of it) and appends the `recall` entry, in one transaction. */
  recall(item: AppendItem, targetSeq: number): Promise<LogEntry>;
  getEntry(convId: string, seq: number): Promise<LogEntry | null>;
  /** The entry a sender stored under a clientMsgId, if any (answers retries). */
  findByClientMsgId(from: string, clientMsgId: string): Promise<LogEntry | null>;
  history(convId: string, query: HistoryQuery): Promise<LogEntry[]>;
  lastSeq(convId: string): Promise<number>;

  // conversations and members
  listConversations(userId: string): Promise<ConversationRow[]>;
  getConversation(userId: string, convId: string): Promise<ConversationRow | null>;
  /** Active members of a conversation. */
  members(convId: string): Promise<string[]>;
  isMember(convId: string, userId: string): Promise<boolean>;
  /** Raises the user's readSeq to min(seq, lastSeq) if higher; returns the readSeq now held. */
  raiseReadSeq(convId: string, userId: string, seq: number): Promise<number>;
  updateMemberSettings(convId: string, userId: string, settings: { muted?: boolean; pinned?: boolean }): Promise<boolean>;
  /** Users allowed to see `userId`'s presence: they share a private chat with it and it has not blocked them. */
  presenceViewers(userId: string): Promise<string[]>;
  /** Those of `subjects` whose presence `viewer` may see, by the rule of `presenceViewers`. */
  presenceVisible(viewer: string, subjects: readonly string[]): Promise<string[]>;

  /** Every member's own state (active members only). */
  memberStates(convId: string): Promise<MemberState[]>;
  /** Active members other than `except` whose readSeq reached `seq`, and how many active members there are besides `except`. */
  readCount(convId: string, seq: number, except: string): Promise<{ count: number; total: number }>;

  // groups
  /**
   * Creates the group, its conversation and its members, and appends `entry` (`group.created`), in one
   * transaction. Null when the group id is taken (also by a dismissed group).
   */
  createGroup(group: GroupRecord, members: ReadonlyArray<{ userId: string; role: GroupRole }>, entry: AppendItem): Promise<LogEntry | null>;
  /** The group and its active members, read together. */
  loadGroup(groupId: string): Promise<{ group: GroupRecord; members: GroupMemberRecord[] } | null>;
  /** Applies the change and appends `entry`, in one transaction. */
  changeGroup(change: GroupChange, entry: AppendItem): Promise<LogEntry>;
  /** Adds or updates a join request. */
  putJoinRequest(groupId: string, request: JoinRequestRecord): Promise<void>;
  joinRequests(groupId: string): Promise<JoinRequestRecord[]>;
  getJoinRequest(groupId: string, userId: string): Promise<JoinRequestRecord | null>;
  deleteJoinRequest(groupId: string, userId: string): Promise<boolean>;
  /** Public, live groups by exact id or name (GroupSearch), with their active member counts. */
  searchGroups(search: GroupSearch): Promise<GroupListingRecord[]>;

  // chatrooms (membership is in memory; only rooms and their logs are stored)
  /** Creates the room, or renames it; true when it was created. */
  putRoom(room: RoomRecord): Promise<boolean>;
  listRooms(): Promise<RoomRecord[]>;
  /** Deletes the room and its log; false when there was no such room. */
  deleteRoom(roomId: string): Promise<boolean>;

  // blocks
  block(blocker: string, blocked: string, now: number): Promise<void>;
  unblock(blocker: string, blocked: string): Promise<void>;
  blocks(blocker: string): Promise<string[]>;
  isBlocked(blocker: string, blocked: string): Promise<boolean>;
  /** Those of `candidates` who have blocked `blocked`. */
  blockersAmong(blocked: string, candidates: readonly string[]): Promise<string[]>;

  // contacts (docs/protocol.md part 2, "Contacts"; contact-state.ts)
  /**
   * In one transaction: reads the state between `a` and `b` (locked against concurrent changes of either user's
   * contacts), lets `decide` plan the change, applies it and appends its entries to the users' contact logs, each at
   * the next seq of its log. Answers the decision's result and the entries written, in seq order per user.
   */
  changeContacts<T>(a: string, b: string, decide: ContactDecision<T>, now: number): Promise<{ result: T; entries: Array<{ userId: string; entry: ContactEntry }> }>;
  /** The user's contacts, the requests they see (sent, and received not ignored), and their log's last seq, read together. */
  contactsOf(userId: string): Promise<{ contacts: Contact[]; requests: ContactRequest[]; lastSeq: number }>;
  /** Entries of the user's contact log after `afterSeq`, ascending, at most `limit`; and the log's last seq. */
  contactLog(userId: string, afterSeq: number, limit: number): Promise<{ entries: ContactEntry[]; lastSeq: number }>;
  /** Whether `userId` has `other` as a contact (contacts are mutual: either side answers the same). */
  isContact(userId: string, other: string): Promise<boolean>;

  // files
  insertFile(file: FileRecord): Promise<void>;
  getFile(fileId: string): Promise<FileRecord | null>;
  /** True when the user uploaded the file or is a member of a conversation where it was sent. */
  mayReadFile(fileId: string, userId: string): Promise<boolean>;
  /** Bytes of the user's uploaded files that are not collected (the quota counts these). */
  uploadedBytes(userId: string): Promise<number>;
  /** Bytes of every file not collected. */
  storedFileBytes(): Promise<number>;
  /**
   * Marks as collected, in one transaction, up to `limit` files that no entry has named since `unreferencedBefore`
   * or whose uploader's account is gone: from then on they read as absent and no append can name them.
   */
  markCollectable(unreferencedBefore: number, now: number, limit: number): Promise<CollectedFile[]>;
  /** Files marked collected whose blobs may still exist (also those a crash left half-collected). */
  collectedFiles(limit: number): Promise<string[]>;
  /** Deletes the rows of collected files once their blobs are gone. */
  forgetFiles(fileIds: readonly string[]): Promise<void>;

  // admin API and settings
  /** Records a nonce; false when it was already seen. */
  rememberNonce(nonce: string, ts: number): Promise<boolean>;
  pruneNonces(olderThan: number): Promise<void>;
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;

  /** Answers when storage works (for /healthz). */
  ping(): Promise<void>;
  /** What an acknowledged commit survives, as the database itself reports it (SQLite: `full` or `normal`). */
  durability?(): string;
  /**
   * Rate-limit buckets shared by every node on this storage (PostgreSQL). Absent for a storage only one node uses
   * (SQLite): the limits then stay in that node's memory.
   */
  readonly throttles?: SharedThrottles;
  close(): Promise<void>;
}
