/** Requests of docs/protocol.md: each op's body schema and answer type, one definition each. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ID_PATTERN } from './ids.js';
import { ClientMsgId, ConvId, Mentions, Seq, UserId, type LogEntry } from './entries.js';
import { CodePointString } from './kinds.js';

export const PROTOCOL_VERSION = 1;

const GroupId = Type.String({ pattern: ID_PATTERN });
const RoomId = Type.String({ pattern: ID_PATTERN });
const Empty = Type.Object({});
const UserIds = (max: number) => Type.Array(UserId, { minItems: 1, maxItems: max });

export const JoinPolicy = Type.Union([Type.Literal('open'), Type.Literal('approval'), Type.Literal('invite')]);

export const REQUESTS = {
  hello: Type.Object({
    token: Type.String({ minLength: 1, maxLength: 512 }),
    device: Type.Object({
      id: Type.String({ pattern: ID_PATTERN }),
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
    name: CodePointString(64, 1),
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
  'group.join': Type.Object({ groupId: GroupId, note: Type.Optional(CodePointString(200)) }),
  'group.requests': Type.Object({ groupId: GroupId }),
  'group.approve': Type.Object({ groupId: GroupId, userId: UserId }),
  'group.reject': Type.Object({ groupId: GroupId, userId: UserId }),
  'group.leave': Type.Object({ groupId: GroupId }),
  'group.dismiss': Type.Object({ groupId: GroupId }),
  'group.update': Type.Object({
    groupId: GroupId,
    name: Type.Optional(CodePointString(64, 1)),
    announcement: Type.Optional(CodePointString(2000)),
    joinPolicy: Type.Optional(JoinPolicy),
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
} satisfies Record<string, TSchema>;

export type Op = keyof typeof REQUESTS;
export const OPS = Object.keys(REQUESTS) as Op[];
export type OpRequest<O extends Op> = Static<(typeof REQUESTS)[O]>;

export type ConvKindName = 'private' | 'group' | 'room';

export interface Conversation {
  convId: string;
  kind: ConvKindName;
  title: string;
  lastSeq: number;
  readSeq: number;
  /** Private chats: the highest seq the peer has read. */
  peerReadSeq?: number;
  muted: boolean;
  pinned: boolean;
  updatedAt: number;
  lastMessage: LogEntry | null;
  /** Extension: present and true in the `conv` event telling a user they are no longer in the group. */
  removed?: boolean;
}

export interface UserInfo {
  userId: string;
  name: string;
  avatar?: string;
  online: boolean;
  lastSeen: number;
}

export type GroupRole = 'owner' | 'admin' | 'member';

export interface GroupInfo {
  groupId: string;
  name: string;
  owner: string;
  admins: string[];
  announcement: string;
  joinPolicy: Static<typeof JoinPolicy>;
  memberCount: number;
  mutedAll: boolean;
}

export interface Limits {
  maxFrameBytes: number;
  sendPerSecond: number;
  maxFileBytes: number;
}

/** The answer body of each op. */
export interface OpResults {
  hello: { userId: string; sessionId: string; serverTime: number; limits: Limits };
  send: { msgId: string; seq: number; ts: number };
  sync: { conversations: Conversation[] };
  history: { messages: LogEntry[] };
  read: Record<string, never>;
  /** seq of the `recall` entry; with a clientMsgId (extension) also its msgId and ts, as a send's answer. */
  recall: { seq: number; msgId?: string; ts?: number };
  typing: Record<string, never>;
  'conv.update': Record<string, never>;
  block: Record<string, never>;
  unblock: Record<string, never>;
  blocks: { userIds: string[] };
  'users.get': { users: UserInfo[] };
  'group.create': { groupId: string };
  'group.info': GroupInfo;
  'group.members': { members: Array<{ userId: string; role: GroupRole; mutedUntil?: number }>; cursor?: string };
  'group.invite': Record<string, never>;
  'group.kick': Record<string, never>;
  'group.join': { status: 'joined' | 'pending' };
  'group.requests': { requests: Array<{ userId: string; note: string; ts: number }> };
  'group.approve': Record<string, never>;
  'group.reject': Record<string, never>;
  'group.leave': Record<string, never>;
  'group.dismiss': Record<string, never>;
  'group.update': Record<string, never>;
  'group.transfer': Record<string, never>;
  'group.admins': Record<string, never>;
  'group.mute': Record<string, never>;
  'group.readCount': { count: number; total: number };
  'room.list': { rooms: Array<{ roomId: string; name: string; online: number }> };
  'room.join': { room: { roomId: string; name: string }; messages: LogEntry[] };
  'room.leave': Record<string, never>;
}

export type OpResult<O extends Op> = OpResults[O];
