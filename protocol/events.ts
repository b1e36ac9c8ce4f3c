/** Server pushes of PROTOCOL.md. */
import type { Conversation } from './ops.js';
import type { LogEntry } from './entries.js';

export interface EventBodies {
  msg: LogEntry;
  read: { convId: string; userId: string; seq: number };
  typing: { convId: string; userId: string };
  presence: { userId: string; online: boolean; lastSeen: number };
  conv: Conversation;
  'session.revoked': { reason: string };
}

export type EventName = keyof EventBodies;
export const EVENT_NAMES: readonly EventName[] = ['msg', 'read', 'typing', 'presence', 'conv', 'session.revoked'];
