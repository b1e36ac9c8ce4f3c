/**
 * Requests of docs/protocol.md: each op's body schema and its answer's schema, one definition each; the types
 * are derived from them. Request schemas are closed where it matters and check every limit (a server refuses
 * what does not fit); answer schemas check the shape and admit fields they do not name, since a newer server
 * may add some and an older client must not break on them.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ID_PATTERN } from './ids.js';
import { ClientMsgId, ConvId, LogEntrySchema, Mentions, Seq, UserId } from './entries.js';
import { GROUP_ROLES, JOIN_POLICIES, type GroupRole } from './group-rules.js';
import { CodePointString } from './kinds.js';
import {
  LimitsSchema,
  MAX_ANNOUNCEMENT,
  MAX_CONTACT_MESSAGE,
  MAX_CONTACT_TAGS,
  MAX_JOIN_NOTE,
  MAX_NAME,
  MAX_REMARK,
  MAX_STATUS,
  MAX_TAG,
} from './limits.js';

export const PROTOCOL_VERSION = 1;

const GroupId = Type.String({ pattern: ID_PATTERN });
const RoomId = Type.String({ pattern: ID_PATTERN });
const Empty = Type.Object({});
const UserIds = (max: number) => Type.Array(UserId, { minItems: 1, maxItems: max });

export const JoinPolicy = Type.Union(JOIN_POLICIES.map((p) => Type.Literal(p)));
export const GroupRoleSchema = Type.Union(GROUP_ROLES.map((r) => Type.Literal(r)));

const DeviceId = Type.String({ pattern: ID_PATTERN });

/** The most entries a `contacts.sync` page holds (extension). */
export const MAX_CONTACT_SYNC_PAGE = 500;

/** The longest directory query, in code points, and the most results a page holds. */
export const MAX_DIRECTORY_QUERY = 64;
export const MAX_DIRECTORY_PAGE = 50;
const DirectorySearch = Type.Object({
  query: CodePointString(MAX_DIRECTORY_QUERY, 1),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DIRECTORY_PAGE })),
});

export const REQUESTS = {
  hello: Type.Object({
    token: Type.String({ minLength: 1, maxLength: 512 }),
    device: Type.Object({
      id: DeviceId,
      platform: Type.String({ maxLength: 64 }),
      app: Type.String({ maxLength: 128 }),
    }),
    protocol: Type.Literal(PROTOCOL_VERSION),
  }),
  send: Type.Object({
    convId: ConvId,
    clientMsgId: ClientMsgId,
    kind: Type.String({ minLength: 1, maxLength: 32 }),
    body: Type.Record(Type.String(), Type.Unknown()),
    mentions: Type.Optional(Mentions),
    replyTo: Type.Optional(Seq),
  }),
  sync: Empty,
  history: Type.Object({
    convId: ConvId,
    beforeSeq: Type.Optional(Type.Integer({ minimum: 1 })),
    afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  }),
  read: Type.Object({ convId: ConvId, seq: Type.Integer({ minimum: 0 }) }),
  /** clientMsgId (extension): names the recall like a send, so a retry is answered with the first answer. */
  recall: Type.Object({ convId: ConvId, seq: Seq, clientMsgId: Type.Optional(ClientMsgId) }),
  typing: Type.Object({ convId: ConvId }),
  'conv.update': Type.Object({ convId: ConvId, muted: Type.Optional(Type.Boolean()), pinned: Type.Optional(Type.Boolean()) }),
  block: Type.Object({ userId: UserId }),
  unblock: Type.Object({ userId: UserId }),
  blocks: Empty,
  'users.get': Type.Object({ userIds: Type.Array(UserId, { maxItems: 100 }) }),
  'group.create': Type.Object({
    groupId: Type.Optional(GroupId),
    name: CodePointString(MAX_NAME, 1),
    members: Type.Array(UserId, { maxItems: 500 }),
    joinPolicy: JoinPolicy,
  }),
  'group.info': Type.Object({ groupId: GroupId }),
  'group.members': Type.Object({
    groupId: GroupId,
    cursor: Type.Optional(Type.String({ maxLength: 128 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  }),
  'group.invite': Type.Object({ groupId: GroupId, userIds: UserIds(500) }),
  'group.kick': Type.Object({ groupId: GroupId, userIds: UserIds(500) }),
  'group.join': Type.Object({ groupId: GroupId, note: Type.Optional(CodePointString(MAX_JOIN_NOTE)) }),
  'group.requests': Type.Object({ groupId: GroupId }),
  'group.approve': Type.Object({ groupId: GroupId, userId: UserId }),
  'group.reject': Type.Object({ groupId: GroupId, userId: UserId }),
  'group.leave': Type.Object({ groupId: GroupId }),
  'group.dismiss': Type.Object({ groupId: GroupId }),
  'group.update': Type.Object({
    groupId: GroupId,
    name: Type.Optional(CodePointString(MAX_NAME, 1)),
    announcement: Type.Optional(CodePointString(MAX_ANNOUNCEMENT)),
    joinPolicy: Type.Optional(JoinPolicy),
    /** Extension (docs/protocol.md part 2, "Directory"): listed by `groups.search`. */
    public: Type.Optional(Type.Boolean()),
  }),
  'group.transfer': Type.Object({ groupId: GroupId, userId: UserId }),
  'group.admins': Type.Object({ groupId: GroupId, userIds: UserIds(100), admin: Type.Boolean() }),
  'group.mute': Type.Object({
    groupId: GroupId,
    userId: Type.Optional(UserId),
    untilTs: Type.Integer({ minimum: 0 }),
  }),
  /** Extension (docs/protocol.md): how many members have read a group entry. */
  'group.readCount': Type.Object({ groupId: GroupId, seq: Seq }),
  'room.list': Empty,
  'room.join': Type.Object({ roomId: RoomId }),
  'room.leave': Type.Object({ roomId: RoomId }),
  /** Extension (docs/protocol.md part 2, "Sessions and devices"): the account's signed-in devices. */
  'devices.list': Empty,
  /** Extension: signs out one other device (revokes its tokens, closes its connections with 4403). */
  'devices.revoke': Type.Object({ deviceId: DeviceId }),
  /** Extension: signs out every device but this connection's token. */
  'devices.revokeOthers': Empty,
  /** Extension (docs/protocol.md part 2, "Directory"): users by id prefix or name. */
  'users.search': DirectorySearch,
  /** Extension: public groups by name (or exact id). */
  'groups.search': DirectorySearch,
  /** Extension: hidden users are found by their exact id only. */
  'directory.optOut': Type.Object({ hidden: Type.Boolean() }),
  /** Extension (docs/protocol.md part 2, "Contacts"): the user's contacts and pending requests, and the log's last seq. */
  'contacts.list': Empty,
  /** Extension: the user's contact log after `afterSeq`, ascending, at most `limit` entries (default 200). */
  'contacts.sync': Type.Object({
    afterSeq: Type.Integer({ minimum: 0 }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CONTACT_SYNC_PAGE })),
  }),
  /** Extension: asks `userId` to become a contact (accepts at once when they asked first). */
  'contacts.request': Type.Object({ userId: UserId, message: Type.Optional(CodePointString(MAX_CONTACT_MESSAGE)) }),
  /** Extension: answers an incoming request; `ignore` drops it without telling the requester. */
  'contacts.accept': Type.Object({ userId: UserId }),
  'contacts.decline': Type.Object({ userId: UserId }),
  'contacts.ignore': Type.Object({ userId: UserId }),
  /** Extension: withdraws the user's own pending request. */
  'contacts.cancel': Type.Object({ userId: UserId }),
  /** Extension: ends the contact, for both sides. */
  'contacts.remove': Type.Object({ userId: UserId }),
  /** Extension: the user's own remark (alias) and tags for a contact; seen by nobody else. */
  'contacts.update': Type.Object({
    userId: UserId,
    remark: Type.Optional(CodePointString(MAX_REMARK)),
    tags: Type.Optional(Type.Array(CodePointString(MAX_TAG, 1), { maxItems: MAX_CONTACT_TAGS })),
  }),
  /** Extension (part 2, "Profiles"): the user's own display name and status line (at least one). */
  'profile.update': Type.Object({
    name: Type.Optional(CodePointString(MAX_NAME, 1)),
    status: Type.Optional(CodePointString(MAX_STATUS)),
  }),
} satisfies Record<string, TSchema>;

export type Op = keyof typeof REQUESTS;
export const OPS = Object.keys(REQUESTS) as Op[];
export type OpRequest<O extends Op> = Static<(typeof REQUESTS)[O]>;

export const CONV_KINDS = ['private', 'group', 'room'] as const;
export type ConvKindName = (typeof CONV_KINDS)[number];
export type { GroupRole };

// ---------------------------------------------------------------------------------------------------------
// Answers. Object schemas admit fields they do not name (TypeBox's default): extensions of a newer server.

/** An answer with nothing to say: `{}` (or whatever a newer server adds). */
const Done = Type.Unsafe<Record<string, never>>(Type.Object({}));
const Int = Type.Integer();
const Count = Type.Integer({ minimum: 0 });
/** A seq that may be 0 (nothing yet): lastSeq, readSeq. */
const SeqOrZero = Type.Integer({ minimum: 0 });

export const ConversationSchema = Type.Object({
  convId: ConvId,
  kind: Type.Union(CONV_KINDS.map((k) => Type.Literal(k))),
  title: Type.String(),
  lastSeq: SeqOrZero,
  readSeq: SeqOrZero,
  /** Private chats: the highest seq the peer has read. */
  peerReadSeq: Type.Optional(SeqOrZero),
  muted: Type.Boolean(),
  pinned: Type.Boolean(),
  updatedAt: Int,
  lastMessage: Type.Union([LogEntrySchema, Type.Null()]),
  /** Extension: present and true in the `conv` event telling a user they are no longer in the group. */
  removed: Type.Optional(Type.Boolean()),
});
export type Conversation = Static<typeof ConversationSchema>;

export const UserInfoSchema = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  /**
   * An absolute http(s) URL set through the admin API, or (extension, part 2 "Profiles") the path
   * `/v1/avatars/<avatarId>` of an uploaded avatar on this server.
   */
  avatar: Type.Optional(Type.String()),
  online: Type.Boolean(),
  lastSeen: Int,
  /** Extension (part 2, "Profiles"): the user's status line, absent when empty. */
  status: Type.Optional(Type.String()),
});
export type UserInfo = Static<typeof UserInfoSchema>;

export const GroupInfoSchema = Type.Object({
  groupId: Type.String(),
  name: Type.String(),
  owner: Type.String(),
  admins: Type.Array(Type.String()),
  announcement: Type.String(),
  joinPolicy: JoinPolicy,
  memberCount: Count,
  mutedAll: Type.Boolean(),
  /** Extension (part 2, "Directory"): listed by `groups.search`; absent from a server without the directory. */
  public: Type.Optional(Type.Boolean()),
});
export type GroupInfo = Static<typeof GroupInfoSchema>;

/** A public group as `groups.search` lists it (extension). */
export const GroupListingSchema = Type.Object({ groupId: Type.String(), name: Type.String(), memberCount: Count, joinPolicy: JoinPolicy });
export type GroupListing = Static<typeof GroupListingSchema>;

export const GroupMemberSchema = Type.Object({ userId: Type.String(), role: GroupRoleSchema, mutedUntil: Type.Optional(Int) });
export type GroupMember = Static<typeof GroupMemberSchema>;

export const JoinRequestSchema = Type.Object({ userId: Type.String(), note: Type.String(), ts: Int });
export type JoinRequest = Static<typeof JoinRequestSchema>;


/** A signed-in device of the account (extension): its tokens taken together. */
export const DeviceSessionSchema = Type.Object({
  deviceId: Type.String(),
  platform: Type.String(),
  app: Type.String(),
  /** When the device last said hello or disconnected (ms). */
  lastSeen: Int,
  /** When its oldest live token was issued (ms). */
  createdAt: Int,
  /** Whether this is the device of the connection asking. */
  current: Type.Boolean(),
});
export type DeviceSession = Static<typeof DeviceSessionSchema>;

/** A contact of the user (extension, part 2 "Contacts"): the remark and tags are the user's own. */
export const ContactSchema = Type.Object({ userId: Type.String(), remark: Type.String(), tags: Type.Array(Type.String()), since: Int });
export type Contact = Static<typeof ContactSchema>;

export const CONTACT_DIRECTIONS = ['in', 'out'] as const;
/** A pending contact request: `in` asks the user, `out` was sent by the user. */
export const ContactRequestSchema = Type.Object({
  userId: Type.String(),
  direction: Type.Union(CONTACT_DIRECTIONS.map((d) => Type.Literal(d))),
  message: Type.String(),
  ts: Int,
});
export type ContactRequest = Static<typeof ContactRequestSchema>;

/** What a contact-log entry records; a client that does not know an event still applies the state the entry carries. */
export const CONTACT_EVENTS = [
  'request.sent',
  'request.received',
  'request.cancelled',
  'request.declined',
  'request.ignored',
  'added',
  'removed',
  'updated',
] as const;
export type ContactEvent = (typeof CONTACT_EVENTS)[number];

/**
 * An entry of the user's contact log (extension): seqs start at 1 per user and grow by exactly 1, like a
 * conversation's. It carries the whole state for one other user after the event, so applying entries in seq order is
 * a replacement: `contact` null means not a contact, `request` null means no pending request either way.
 */
export const ContactEntrySchema = Type.Object({
  seq: Seq,
  ts: Int,
  userId: Type.String(),
  event: Type.String(),
  contact: Type.Union([ContactSchema, Type.Null()]),
  request: Type.Union([ContactRequestSchema, Type.Null()]),
});
export type ContactEntry = Static<typeof ContactEntrySchema>;

export const MESSAGING_POLICIES = ['anyone', 'contacts'] as const;
/** The `reason` of the FORBIDDEN a private `send` gets on a `contacts` server when the two are not contacts. */
export const NOT_CONTACTS_REASON = 'NOT_CONTACTS';

/** Who may open a private chat on a server (extension, part 2 "Contacts"): `contacts` gates it on being contacts. */
export type MessagingPolicy = (typeof MESSAGING_POLICIES)[number];

/** Send's acknowledgement (also a recall's, when named with a clientMsgId). */
const Ack = Type.Object({ msgId: Type.String(), seq: Seq, ts: Int });

/** The answer body of each op. */
export const ANSWERS = {
  hello: Type.Object({
    userId: Type.String(),
    sessionId: Type.String(),
    serverTime: Int,
    limits: LimitsSchema,
    /** Extension (part 2, "Contacts"): absent from older servers, which let anyone message anyone. */
    messaging: Type.Optional(Type.Union(MESSAGING_POLICIES.map((p) => Type.Literal(p)))),
  }),
  send: Ack,
  sync: Type.Object({ conversations: Type.Array(ConversationSchema) }),
  history: Type.Object({ messages: Type.Array(LogEntrySchema) }),
  read: Done,
  /** seq of the `recall` entry; with a clientMsgId (extension) also its msgId and ts, as a send's answer. */
  recall: Type.Object({ seq: Seq, msgId: Type.Optional(Type.String()), ts: Type.Optional(Int) }),
  typing: Done,
  'conv.update': Done,
  block: Done,
  unblock: Done,
  blocks: Type.Object({ userIds: Type.Array(Type.String()) }),
  'users.get': Type.Object({ users: Type.Array(UserInfoSchema) }),
  /** `notAdded` (extension): users named who were not added, present only when there are some. */
  'group.create': Type.Object({ groupId: Type.String(), notAdded: Type.Optional(Type.Array(Type.String())) }),
  'group.info': GroupInfoSchema,
  'group.members': Type.Object({ members: Type.Array(GroupMemberSchema), cursor: Type.Optional(Type.String()) }),
  /** `notAdded` (extension), as for `group.create`; otherwise `{}`. */
  'group.invite': Type.Object({ notAdded: Type.Optional(Type.Array(Type.String())) }),
  'group.kick': Done,
  'group.join': Type.Object({ status: Type.Union([Type.Literal('joined'), Type.Literal('pending')]) }),
  'group.requests': Type.Object({ requests: Type.Array(JoinRequestSchema) }),
  'group.approve': Done,
  'group.reject': Done,
  'group.leave': Done,
  'group.dismiss': Done,
  'group.update': Done,
  'group.transfer': Done,
  'group.admins': Done,
  'group.mute': Done,
  /** Extension. */
  'group.readCount': Type.Object({ count: Count, total: Count }),
  'room.list': Type.Object({ rooms: Type.Array(Type.Object({ roomId: Type.String(), name: Type.String(), online: Count })) }),
  'room.join': Type.Object({ room: Type.Object({ roomId: Type.String(), name: Type.String() }), messages: Type.Array(LogEntrySchema) }),
  'room.leave': Done,
  /** Extensions. */
  'devices.list': Type.Object({ devices: Type.Array(DeviceSessionSchema) }),
  'devices.revoke': Done,
  'devices.revokeOthers': Type.Object({ revoked: Count }),
  'users.search': Type.Object({ users: Type.Array(UserInfoSchema), nextCursor: Type.Optional(Type.String()) }),
  'groups.search': Type.Object({ groups: Type.Array(GroupListingSchema), nextCursor: Type.Optional(Type.String()) }),
  'directory.optOut': Done,
  'contacts.list': Type.Object({ contacts: Type.Array(ContactSchema), requests: Type.Array(ContactRequestSchema), lastSeq: SeqOrZero }),
  /** `more`: entries after the last one returned exist (ask again from its seq). */
  'contacts.sync': Type.Object({ entries: Type.Array(ContactEntrySchema), lastSeq: SeqOrZero, more: Type.Boolean() }),
  /** `contacts`: they are contacts now (or were already); `pending`: the request waits for the other user. */
  'contacts.request': Type.Object({ status: Type.Union([Type.Literal('pending'), Type.Literal('contacts')]) }),
  'contacts.accept': Done,
  'contacts.decline': Done,
  'contacts.ignore': Done,
  'contacts.cancel': Done,
  'contacts.remove': Done,
  'contacts.update': Done,
  'profile.update': Done,
} satisfies { [O in Op]: TSchema };

/** The answer body of each op. */
export type OpResults = { [O in Op]: Static<(typeof ANSWERS)[O]> };
export type OpResult<O extends Op> = OpResults[O];
