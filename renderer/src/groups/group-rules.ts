/**
 * What the group screens may offer, by the server's rules (docs/protocol.md "Groups: readings"). The server
 * checks again; these only keep the UI from offering what would be refused.
 */
import type { GroupInfo, GroupMemberView, GroupRole } from '../../../preload/api-types';

export type JoinPolicy = GroupInfo['joinPolicy'];
export const JOIN_POLICIES: readonly JoinPolicy[] = ['open', 'approval', 'invite'];

export const MAX_NAME = 64;
export const MAX_ANNOUNCEMENT = 2000;
export const MAX_NOTE = 200;
/** "Mute everyone" and "mute until unmuted" have no end on the wire: a time far ahead stands for it. */
export const FOREVER_MS = 10 * 365 * 24 * 3600_000;

/** The protocol counts lengths in code points, not UTF-16 units. */
export function codePoints(text: string): number {
  return [...text].length;
}

/** User ids typed as a list: commas (also full-width), semicolons or whitespace between them. */
export function splitIds(text: string): string[] {
  return [...new Set(text.split(/[\s,，;；、]+/).filter(Boolean))];
}

export function isManager(role: GroupRole | null): boolean {
  return role === 'owner' || role === 'admin';
}

export type MemberAction = 'kick' | 'mute-1h' | 'mute-24h' | 'mute-forever' | 'unmute' | 'make-admin' | 'remove-admin' | 'transfer';

/**
 * The actions the viewer may take on a member: the owner acts on anyone else; an admin kicks and mutes plain
 * members only; nobody acts on the owner or on themselves here (leaving is its own button).
 */
export function memberActions(viewer: { userId: string; role: GroupRole | null }, target: GroupMemberView, now: number): MemberAction[] {
  if (!isManager(viewer.role) || target.userId === viewer.userId || target.role === 'owner') return [];
  const actions: MemberAction[] = [];
  const mayDiscipline = viewer.role === 'owner' || target.role === 'member';
  if (mayDiscipline) {
    if (isMuted(target, now)) actions.push('unmute');
    else actions.push('mute-1h', 'mute-24h', 'mute-forever');
    actions.push('kick');
  }
  if (viewer.role === 'owner') {
    actions.push(target.role === 'admin' ? 'remove-admin' : 'make-admin', 'transfer');
  }
  return actions;
}

export function isMuted(member: GroupMemberView, now: number): boolean {
  return member.mutedUntil !== undefined && member.mutedUntil > now;
}

/** Anyone in the group invites, except in `invite` groups, where only the owner and admins do. */
export function mayInvite(info: GroupInfo, role: GroupRole | null): boolean {
  if (role === null) return false;
  return info.joinPolicy !== 'invite' || isManager(role);
}

/** The viewer's role: from the member list, or (while it loads) from the group card. */
export function roleOf(userId: string, info: GroupInfo | null, members: readonly GroupMemberView[]): GroupRole | null {
  const member = members.find((m) => m.userId === userId);
  if (member) return member.role;
  if (!info) return null;
  if (info.owner === userId) return 'owner';
  if (info.admins.includes(userId)) return 'admin';
  return members.length > 0 ? null : 'member';
}

/** Owner first, then admins, then members; the order within a role is the server's. */
export function sortMembers(members: readonly GroupMemberView[]): GroupMemberView[] {
  const rank: Record<GroupRole, number> = { owner: 0, admin: 1, member: 2 };
  return [...members].sort((a, b) => rank[a.role] - rank[b.role]);
}
