/**
 * What the group screens offer, by protocol/'s group rules (who may do what, in which order members are listed):
 * the server checks again; these only keep the UI from offering what would be refused. The rest is UI logic.
 */
import type { GroupInfo, GroupMemberView, GroupRole } from '../../../preload/api-types';
import { mayDiscipline, mayDo, ROLE_RANK } from '../../../protocol/pure.js';

/** "Mute everyone" and "mute until unmuted" have no end on the wire: a time far ahead stands for it. */
export const FOREVER_MS = 10 * 365 * 24 * 3600_000;

/** User ids typed as a list: commas (also full-width), semicolons or whitespace between them. */
export function splitIds(text: string): string[] {
  return [...new Set(text.split(/[\s,，;；、]+/).filter(Boolean))];
}

export type MemberAction = 'kick' | 'mute-1h' | 'mute-24h' | 'mute-forever' | 'unmute' | 'make-admin' | 'remove-admin' | 'transfer';

/**
 * The actions the viewer may take on a member: muting and kicking whom protocol/ lets them discipline, naming
 * admins and transferring for the owner; nothing on themselves here (leaving is its own button).
 */
export function memberActions(viewer: { userId: string; role: GroupRole | null }, target: GroupMemberView, now: number): MemberAction[] {
  if (target.userId === viewer.userId) return [];
  const actions: MemberAction[] = [];
  if (mayDiscipline(viewer.role, target.role)) {
    if (isMuted(target, now)) actions.push('unmute');
    else actions.push('mute-1h', 'mute-24h', 'mute-forever');
    actions.push('kick');
  }
  if (target.role !== 'owner') {
    if (mayDo(viewer.role, 'setAdmins')) actions.push(target.role === 'admin' ? 'remove-admin' : 'make-admin');
    if (mayDo(viewer.role, 'transfer')) actions.push('transfer');
  }
  return actions;
}

export function isMuted(member: GroupMemberView, now: number): boolean {
  return member.mutedUntil !== undefined && member.mutedUntil > now;
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
  return [...members].sort((a, b) => ROLE_RANK[a.role] - ROLE_RANK[b.role]);
}
