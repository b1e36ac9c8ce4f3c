/**
 * Server pushes of docs/protocol.md: each event's body schema, one definition each; the types are derived from
 * them. Like answers, event bodies admit fields they do not name (a newer server may add some).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ConvId, LogEntrySchema } from './entries.js';
import { ContactEntrySchema, ConversationSchema } from './ops.js';

export const ROOM_LEFT_REASONS = ['deleted', 'idle', 'switched'] as const;
/** `deleted` by the admin API, `idle` destroyed after roomIdleMs without messages or joins, `switched` the user joined another room. */
export type RoomLeftReason = (typeof ROOM_LEFT_REASONS)[number];

export const EVENTS = {
  msg: LogEntrySchema,
  read: Type.Object({ convId: ConvId, userId: Type.String(), seq: Type.Integer({ minimum: 0 }) }),
  typing: Type.Object({ convId: ConvId, userId: Type.String() }),
  presence: Type.Object({ userId: Type.String(), online: Type.Boolean(), lastSeen: Type.Integer() }),
  conv: ConversationSchema,
  'session.revoked': Type.Object({ reason: Type.String() }),
  /** Extension: a join request awaits approval (to the group's owner and admins). */
  'group.request': Type.Object({ groupId: Type.String(), userId: Type.String(), note: Type.String(), ts: Type.Integer() }),
  /** Extension: this connection is no longer in the chatroom, and why. */
  'room.left': Type.Object({ roomId: Type.String(), reason: Type.Union(ROOM_LEFT_REASONS.map((r) => Type.Literal(r))) }),
  /** Extension (part 2, "Contacts"): a new entry of the user's contact log, to every device of the user. */
  contact: ContactEntrySchema,
  /**
   * Extension (part 2, "Profiles"): a user changed their name, avatar or status line; to the user's devices and to
   * everyone online who shares a conversation with them or has them as a contact.
   */
  profile: Type.Object({ userId: Type.String(), name: Type.String(), avatar: Type.Optional(Type.String()), status: Type.Optional(Type.String()) }),
} satisfies Record<string, TSchema>;

export type EventName = keyof typeof EVENTS;
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];
export type EventBodies = { [E in EventName]: Static<(typeof EVENTS)[E]> };

/** An event as `{ev, body}`, one variant per event, so checking it also narrows the body by `ev`. */
export const ServerEventSchema = Type.Union([
  Type.Object({ ev: Type.Literal('msg'), body: EVENTS.msg }),
  Type.Object({ ev: Type.Literal('read'), body: EVENTS.read }),
  Type.Object({ ev: Type.Literal('typing'), body: EVENTS.typing }),
  Type.Object({ ev: Type.Literal('presence'), body: EVENTS.presence }),
  Type.Object({ ev: Type.Literal('conv'), body: EVENTS.conv }),
  Type.Object({ ev: Type.Literal('session.revoked'), body: EVENTS['session.revoked'] }),
  Type.Object({ ev: Type.Literal('group.request'), body: EVENTS['group.request'] }),
  Type.Object({ ev: Type.Literal('room.left'), body: EVENTS['room.left'] }),
  Type.Object({ ev: Type.Literal('contact'), body: EVENTS.contact }),
  Type.Object({ ev: Type.Literal('profile'), body: EVENTS.profile }),
]);
export type ServerEvent = Static<typeof ServerEventSchema>;

// Every event has its variant above (a compile error otherwise).
const _everyEventHasAVariant: Exclude<EventName, ServerEvent['ev']> extends never ? true : never = true;
