/** The op table: one handler per op of docs/protocol.md after `hello`; a missing one is a compile error. */
import type { Op, OpRequest, OpResult } from '../../../protocol/index.js';
import type { Contacts } from '../services/contacts.js';
import type { Directory } from '../services/directory.js';
import type { Groups } from '../services/groups.js';
import type { Messaging } from '../services/messaging.js';
import type { Profiles } from '../services/profiles.js';
import type { Rooms } from '../services/rooms.js';
import type { Sessions } from '../services/sessions.js';

export interface OpContext {
  userId: string;
  connectionId: string;
  /** The hash of the token the connection said hello with: "this device" of the device ops. */
  tokenHash: string;
  /** For `send`: the entry is queued for commit, so the connection may start its next send. */
  onQueued?: () => void;
}

export type OpHandler<O extends Op> = (ctx: OpContext, body: OpRequest<O>) => Promise<OpResult<O>>;
export type OpHandlers = { [O in Exclude<Op, 'hello'>]: OpHandler<O> };

const EMPTY = {} as Record<string, never>;

export function createHandlers(
  messaging: Messaging,
  groups: Groups,
  rooms: Rooms,
  sessions: Sessions,
  directory: Directory,
  contacts: Contacts,
  profiles: Profiles,
): OpHandlers {
  return {
    send: (ctx, b) =>
      messaging.send(ctx.userId, b, { connectionId: ctx.connectionId, exceptConnectionId: ctx.connectionId, onQueued: ctx.onQueued }),
    sync: async (ctx) => ({ conversations: await messaging.sync(ctx.userId) }),
    history: async (ctx, b) => ({ messages: await messaging.history(ctx.userId, b, ctx.connectionId) }),
    read: async (ctx, b) => {
      await messaging.read(ctx.userId, b.convId, b.seq, ctx.connectionId);
      return EMPTY;
    },
    recall: (ctx, b) => messaging.recall(ctx.userId, b, ctx.connectionId),
    typing: async (ctx, b) => {
      await messaging.typing(ctx.userId, b.convId, ctx.connectionId);
      return EMPTY;
    },
    'conv.update': async (ctx, b) => {
      await messaging.updateConversation(ctx.userId, b.convId, { muted: b.muted, pinned: b.pinned }, ctx.connectionId);
      return EMPTY;
    },
    block: async (ctx, b) => {
      await messaging.block(ctx.userId, b.userId);
      return EMPTY;
    },
    unblock: async (ctx, b) => {
      await messaging.unblock(ctx.userId, b.userId);
      return EMPTY;
    },
    blocks: async (ctx) => ({ userIds: await messaging.blocks(ctx.userId) }),
    'users.get': async (ctx, b) => ({ users: await messaging.users(ctx.userId, b.userIds) }),
    'group.create': (ctx, b) => groups.create(ctx.userId, b),
    'group.info': (ctx, b) => groups.info(ctx.userId, b.groupId),
    'group.members': (ctx, b) => groups.members(ctx.userId, b),
    'group.invite': (ctx, b) => groups.invite(ctx.userId, b.groupId, b.userIds),
    'group.kick': async (ctx, b) => {
      await groups.kick(ctx.userId, b.groupId, b.userIds);
      return EMPTY;
    },
    'group.join': (ctx, b) => groups.join(ctx.userId, b.groupId, b.note),
    'group.requests': (ctx, b) => groups.requests(ctx.userId, b.groupId),
    'group.approve': async (ctx, b) => {
      await groups.approve(ctx.userId, b.groupId, b.userId);
      return EMPTY;
    },
    'group.reject': async (ctx, b) => {
      await groups.reject(ctx.userId, b.groupId, b.userId);
      return EMPTY;
    },
    'group.leave': async (ctx, b) => {
      await groups.leave(ctx.userId, b.groupId);
      return EMPTY;
    },
    'group.dismiss': async (ctx, b) => {
      await groups.dismiss(ctx.userId, b.groupId);
      return EMPTY;
    },
    'group.update': async (ctx, b) => {
      await groups.update(ctx.userId, b);
      return EMPTY;
    },
    'group.transfer': async (ctx, b) => {
      await groups.transfer(ctx.userId, b.groupId, b.userId);
      return EMPTY;
    },
    'group.admins': async (ctx, b) => {
      await groups.setAdmins(ctx.userId, b.groupId, b.userIds, b.admin);
      return EMPTY;
    },
    'group.mute': async (ctx, b) => {
      await groups.mute(ctx.userId, b);
      return EMPTY;
    },
    'group.readCount': (ctx, b) => groups.readCount(ctx.userId, b.groupId, b.seq),
    'room.list': async () => rooms.list(),
    'room.join': (ctx, b) => rooms.join(ctx.connectionId, b.roomId),
    'room.leave': async (ctx, b) => {
      rooms.leave(ctx.connectionId, b.roomId);
      return EMPTY;
    },
    'devices.list': (ctx) => sessions.list(ctx.userId, ctx.tokenHash),
    'devices.revoke': async (ctx, b) => {
      await sessions.revokeDevice(ctx.userId, ctx.tokenHash, b.deviceId);
      return EMPTY;
    },
    'devices.revokeOthers': async (ctx) => ({ revoked: await sessions.revokeOthers(ctx.userId, ctx.tokenHash) }),
    'users.search': (ctx, b) => directory.searchUsers(ctx.userId, b),
    'groups.search': (_ctx, b) => directory.searchGroups(b),
    'directory.optOut': async (ctx, b) => {
      await directory.optOut(ctx.userId, b.hidden);
      return EMPTY;
    },
    'contacts.list': (ctx) => contacts.list(ctx.userId),
    'contacts.sync': (ctx, b) => contacts.sync(ctx.userId, b),
    'contacts.request': (ctx, b) => contacts.request(ctx.userId, b),
    'contacts.accept': async (ctx, b) => {
      await contacts.accept(ctx.userId, b.userId);
      return EMPTY;
    },
    'contacts.decline': async (ctx, b) => {
      await contacts.decline(ctx.userId, b.userId);
      return EMPTY;
    },
    'contacts.ignore': async (ctx, b) => {
      await contacts.ignore(ctx.userId, b.userId);
      return EMPTY;
    },
    'contacts.cancel': async (ctx, b) => {
      await contacts.cancel(ctx.userId, b.userId);
      return EMPTY;
    },
    'contacts.remove': async (ctx, b) => {
      await contacts.remove(ctx.userId, b.userId);
      return EMPTY;
    },
    'contacts.update': async (ctx, b) => {
      await contacts.update(ctx.userId, b);
      return EMPTY;
    },
    'profile.update': async (ctx, b) => {
      await profiles.update(ctx.userId, b);
      return EMPTY;
    },
  };
}
