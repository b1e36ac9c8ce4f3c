/** Server pushes of docs/protocol.md. */
import type { Conversation } from './ops.js';
import type { LogEntry } from './entries.js';

export interface EventBodies {
  msg: LogEntry;
  read: { convId: string; userId: string; seq: number };
  typing: { convId: string; userId: string };
  presence: { userId: string; online: boolean; lastSeen: number };
  conv: Conversation;
  'session.revoked': { reason: string };
  /** Extension: a join request awaits approval (to the group's owner and admins). */
  'group.request': { groupId: string; userId: string; note: string; ts: number };
  /** Extension: this connection is no longer in the chatroom, and why. */
  'room.left': { roomId: string; reason: RoomLeftReason };
}

/** `deleted` by the admin API, `idle` destroyed after roomIdleMs without messages or joins, `switched` the user joined another room. */
export type RoomLeftReason = 'deleted' | 'idle' | 'switched';

export type EventName = keyof EventBodies;
export const EVENT_NAMES: readonly EventName[] = ['msg', 'read', 'typing', 'presence', 'conv', 'session.revoked', 'group.request', 'room.left'];
