/** The op table: one handler per op of PROTOCOL.md after `hello`; a missing one is a compile error. */
import { ProtocolError, type Op, type OpRequest, type OpResult } from '../../../protocol/index.js';
import type { Messaging } from '../services/messaging.js';

export interface OpContext {
  userId: string;
  connectionId: string;
  /** For `send`: the entry is queued for commit, so the connection may start its next send. */
  onQueued?: () => void;
}

export type OpHandler<O extends Op> = (ctx: OpContext, body: OpRequest<O>) => Promise<OpResult<O>>;
export type OpHandlers = { [O in Exclude<Op, 'hello'>]: OpHandler<O> };

const EMPTY = {} as Record<string, never>;

function notYet(what: string): never {
  throw new ProtocolError('BAD_REQUEST', `${what} are not available on this server version`);
}

export function createHandlers(messaging: Messaging): OpHandlers {
  return {
    send: (ctx, b) => messaging.send(ctx.userId, b, { exceptConnectionId: ctx.connectionId, onQueued: ctx.onQueued }),
    sync: async (ctx) => ({ conversations: await messaging.sync(ctx.userId) }),
    history: async (ctx, b) => ({ messages: await messaging.history(ctx.userId, b) }),
    read: async (ctx, b) => {
      await messaging.read(ctx.userId, b.convId, b.seq, ctx.connectionId);
      return EMPTY;
    },
    recall: (ctx, b) => messaging.recall(ctx.userId, b.convId, b.seq),
    typing: async (ctx, b) => {
      await messaging.typing(ctx.userId, b.convId);
      return EMPTY;
    },
    'conv.update': async (ctx, b) => {
      await messaging.updateConversation(ctx.userId, b.convId, { muted: b.muted, pinned: b.pinned });
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
    'users.get': async (_ctx, b) => ({ users: await messaging.users(b.userIds) }),
    'group.create': () => notYet('groups'),
    'group.info': () => notYet('groups'),
    'group.members': () => notYet('groups'),
    'group.invite': () => notYet('groups'),
    'group.kick': () => notYet('groups'),
    'group.join': () => notYet('groups'),
    'group.requests': () => notYet('groups'),
    'group.approve': () => notYet('groups'),
    'group.reject': () => notYet('groups'),
    'group.leave': () => notYet('groups'),
    'group.dismiss': () => notYet('groups'),
    'group.update': () => notYet('groups'),
    'group.transfer': () => notYet('groups'),
    'group.admins': () => notYet('groups'),
    'group.mute': () => notYet('groups'),
    'room.list': () => notYet('chatrooms'),
    'room.join': () => notYet('chatrooms'),
    'room.leave': () => notYet('chatrooms'),
  };
}
