/**
 * Who may do what in a group (docs/protocol.md "Groups and chatrooms", part 1 and its readings), as pure
 * functions: the server decides with them, and a client uses the same ones to offer only what would be allowed.
 */

export const GROUP_ROLES = ['owner', 'admin', 'member'] as const;
export type GroupRole = (typeof GROUP_ROLES)[number];

export const JOIN_POLICIES = ['open', 'approval', 'invite'] as const;
export type JoinPolicyName = (typeof JOIN_POLICIES)[number];

/** `group.members` order: the owner, then admins, then members. */
export const ROLE_RANK: Readonly<Record<GroupRole, number>> = Object.freeze({ owner: 0, admin: 1, member: 2 });

/** A role, or null for someone who is not (or no longer) a member. */
export type RoleOrNone = GroupRole | null | undefined;

/** What only the owner and admins may do (part 1), besides acting on a member (`mayDiscipline`). */
export const MANAGER_ACTIONS = ['kick', 'approve', 'reject', 'requests', 'mute', 'update', 'recallOthers', 'mentionAll'] as const;
/** What only the owner may do (part 1): transfer the group, dismiss it, name or unname admins. */
export const OWNER_ACTIONS = ['transfer', 'dismiss', 'setAdmins'] as const;
export type GroupAction = (typeof MANAGER_ACTIONS)[number] | (typeof OWNER_ACTIONS)[number];

const OWNER_ONLY: ReadonlySet<GroupAction> = new Set<GroupAction>(OWNER_ACTIONS);

export function isManager(role: RoleOrNone): boolean {
  return role === 'owner' || role === 'admin';
}

/** Whether a member with `role` may do `action` at all (`mayDiscipline` then says on whom, for kick and mute). */
export function mayDo(role: RoleOrNone, action: GroupAction): boolean {
  return OWNER_ONLY.has(action) ? role === 'owner' : isManager(role);
}

/**
 * Whether `actor` may kick or mute `target` (the reading of part 2): the owner anyone but themselves, an admin plain
 * members only; nobody the owner. Acting on oneself is not this (a request of it is BAD_REQUEST: use group.leave).
 */
export function mayDiscipline(actor: RoleOrNone, target: RoleOrNone): boolean {
  if (!target || target === 'owner') return false;
  if (actor === 'owner') return true;
  return actor === 'admin' && target === 'member';
}

/** In `invite` groups only the owner and admins invite; in the others any member does. */
export function mayInvite(role: RoleOrNone, policy: JoinPolicyName): boolean {
  if (!role) return false;
  return policy !== 'invite' || isManager(role);
}

/** What `group.join` does for a non-member: `open` joins at once, `approval` asks, `invite` is refused. */
export function joinOutcome(policy: JoinPolicyName): 'joined' | 'pending' | 'forbidden' {
  return policy === 'open' ? 'joined' : policy === 'approval' ? 'pending' : 'forbidden';
}

/** The owner cannot leave: they transfer the group or dismiss it first. */
export function mayLeave(role: RoleOrNone): boolean {
  return role === 'admin' || role === 'member';
}

/**
 * Why a member may not speak now, or null when they may: muted themselves (the owner never is), or everyone is
 * muted (plain members only). `untilTs` is when it ends.
 */
export function muteOf(
  member: { role: GroupRole; mutedUntil?: number },
  mutedAllUntil: number,
  now: number,
): { reason: 'muted' | 'mutedAll'; untilTs: number } | null {
  const until = member.mutedUntil ?? 0;
  if (member.role !== 'owner' && until > now) return { reason: 'muted', untilTs: until };
  if (member.role === 'member' && mutedAllUntil > now) return { reason: 'mutedAll', untilTs: mutedAllUntil };
  return null;
}

/** `@all` is for the owner and admins; mentioning members by id is open to everyone. */
export function mayMention(role: RoleOrNone, mentions: readonly string[] | undefined): boolean {
  return !mentions?.includes('@all') || mayDo(role, 'mentionAll');
}

/**
 * Whether a recall would be allowed: a group's owner and admins recall any entry at any time (`role`: the
 * recaller's role in the group; null elsewhere); everyone else their own entries within the recall window
 * (`hello`'s `limits.recallWindowMs`). `system` and `recall` entries are never recalled, nor one already recalled.
 */
export function recallVerdict(input: {
  role: RoleOrNone;
  own: boolean;
  sentAt: number;
  now: number;
  recallWindowMs: number;
}): 'allowed' | 'not-own' | 'too-late' {
  if (mayDo(input.role, 'recallOthers')) return 'allowed';
  if (!input.own) return 'not-own';
  return input.now - input.sentAt > input.recallWindowMs ? 'too-late' : 'allowed';
}
