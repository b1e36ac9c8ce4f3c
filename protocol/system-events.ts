/**
 * The `system` entries a server writes into a group's log (docs/protocol.md "Groups and chatrooms": part 1 names
 * the events, part 2 their details): the event names and each body's schema, one definition each.
 *
 * Entries carry these bodies as `system` bodies, which stay open (`{event, actor?, targets?}` and anything else:
 * the admin API may write system entries of its own), so a reader narrows one with `isGroupSystemBody`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { JoinPolicy } from './ops.js';

const Actor = Type.String();
const Targets = Type.Array(Type.String());
const event = <E extends string>(name: E) => Type.Literal(name);

export const SYSTEM_EVENT_BODIES = {
  /** targets: the initial members other than the owner; name: the group's name. */
  'group.created': Type.Object({ event: event('group.created'), actor: Actor, targets: Targets, name: Type.String() }),
  /** targets: the users added. */
  'member.invited': Type.Object({ event: event('member.invited'), actor: Actor, targets: Targets }),
  /** targets: [the user]; actor: the user for a self-join, the approver otherwise. */
  'member.joined': Type.Object({ event: event('member.joined'), actor: Actor, targets: Targets }),
  /** targets: [the user]. */
  'member.left': Type.Object({ event: event('member.left'), actor: Actor, targets: Targets }),
  'member.kicked': Type.Object({ event: event('member.kicked'), actor: Actor, targets: Targets }),
  /** targets: [the new owner]. */
  'owner.transferred': Type.Object({ event: event('owner.transferred'), actor: Actor, targets: Targets }),
  /** targets: the users whose role changed; admin: named (true) or unnamed (false). */
  'admins.changed': Type.Object({ event: event('admins.changed'), actor: Actor, targets: Targets, admin: Type.Boolean() }),
  /** The settings set, and only those. */
  'group.updated': Type.Object({
    event: event('group.updated'),
    actor: Actor,
    name: Type.Optional(Type.String()),
    announcement: Type.Optional(Type.String()),
    joinPolicy: Type.Optional(JoinPolicy),
    /** Extension (part 2, "Directory"). */
    public: Type.Optional(Type.Boolean()),
  }),
  /** targets: [the member] for one member; absent for everyone (`mutedAll`). untilTs 0 (or past) unmutes. */
  'group.muted': Type.Object({ event: event('group.muted'), actor: Actor, targets: Type.Optional(Targets), untilTs: Type.Integer({ minimum: 0 }) }),
  /** The group's last entry. */
  'group.dismissed': Type.Object({ event: event('group.dismissed'), actor: Actor }),
} satisfies Record<string, TSchema>;

export type SystemEventName = keyof typeof SYSTEM_EVENT_BODIES;
export const SYSTEM_EVENTS = Object.keys(SYSTEM_EVENT_BODIES) as SystemEventName[];
export type SystemEventBodies = { [E in SystemEventName]: Static<(typeof SYSTEM_EVENT_BODIES)[E]> };
/** The body of a group's system entry, discriminated by `event`. */
export type GroupSystemBody = SystemEventBodies[SystemEventName];

export function isSystemEventName(name: unknown): name is SystemEventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(SYSTEM_EVENT_BODIES, name);
}

/**
 * Whether a `system` entry's body is a group event of this list with the fields its schema names (extra fields
 * allowed). Checked by interpretation, not compiled code, so it runs under a CSP without 'unsafe-eval'.
 */
export function isGroupSystemBody(body: unknown): body is GroupSystemBody {
  if (typeof body !== 'object' || body === null) return false;
  const name = (body as { event?: unknown }).event;
  return isSystemEventName(name) && Value.Check(SYSTEM_EVENT_BODIES[name], body);
}
