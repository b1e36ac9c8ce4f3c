/**
 * The fake api's groups: an in-memory model of the server's group rules (docs/protocol.md "Groups:
 * readings"), enough for the UI's group screens. Every call acts as the signed-in user; other users exist
 * only as members, requesters and invitees. Each change writes its system entry into `g:<groupId>` and
 * announces the conversation as main would.
 */
import type { GroupInfo, GroupMemberView, GroupRole } from '../../../preload/api-types';
import { ROLE_RANK, type JoinPolicyName } from '../../../protocol/pure.js';
import { fakeConversation, type FakeContext } from './fake-context';

export interface FakeGroupSpec {
  groupId: string;
  name: string;
  owner: string;
  admins?: string[];
  members: string[];
  announcement?: string;
  joinPolicy?: JoinPolicyName;
  /** Pending join requests (for the owner and admins to approve or reject). */
  requests?: Array<{ userId: string; note?: string; ts?: number }>;
  /** Muted members: userId → until (ms since epoch). */
  mutedUntil?: Record<string, number>;
  mutedAllUntil?: number;
  /** The member limit of this group; default: the fake server's maxGroupMembers. */
  maxMembers?: number;
}

interface FakeGroup {
  groupId: string;
  name: string;
  announcement: string;
  joinPolicy: JoinPolicyName;
  /** In insertion order; the owner is the entry with role 'owner'. */
  members: Map<string, { role: GroupRole; mutedUntil: number }>;
  requests: Map<string, { userId: string; note: string; ts: number }>;
  mutedAllUntil: number;
  /** Undefined: the fake server's maxGroupMembers (as it is now). */
  maxMembers: number | undefined;
  dismissed: boolean;
}

const DEFAULT_PAGE = 100;

export function createFakeGroups(ctx: FakeContext, specs: readonly FakeGroupSpec[] = [], blockedBy: readonly string[] = []) {
  const groups = new Map<string, FakeGroup>();
  let nextGroup = 1;

  for (const spec of specs) {
    const members: FakeGroup['members'] = new Map();
    members.set(spec.owner, { role: 'owner', mutedUntil: 0 });
    for (const id of spec.admins ?? []) if (!members.has(id)) members.set(id, { role: 'admin', mutedUntil: 0 });
    for (const id of spec.members) if (!members.has(id)) members.set(id, { role: 'member', mutedUntil: 0 });
    for (const [id, until] of Object.entries(spec.mutedUntil ?? {})) {
      const m = members.get(id);
      if (m) m.mutedUntil = until;
    }
    const requests: FakeGroup['requests'] = new Map();
    for (const r of spec.requests ?? []) requests.set(r.userId, { userId: r.userId, note: r.note ?? '', ts: r.ts ?? ctx.now() });
    groups.set(spec.groupId, {
      groupId: spec.groupId,
      name: spec.name,
      announcement: spec.announcement ?? '',
      joinPolicy: spec.joinPolicy ?? 'open',
      members,
      requests,
      mutedAllUntil: spec.mutedAllUntil ?? 0,
      maxMembers: spec.maxMembers,
      dismissed: false,
    });
    // A seeded group the user is in is in their conversation list (unless the test gave one).
    const convId = `g:${spec.groupId}`;
    if (members.has(ctx.selfId()) && !ctx.conversations.has(convId)) ctx.conversations.set(convId, fakeConversation(convId, 'group', spec.name, ctx.now()));
  }

  const fail = (code: Parameters<FakeContext['error']>[0], message?: string): never => {
    throw ctx.error(code, message);
  };
  const unique = (ids: readonly string[]) => [...new Set(ids)];
  const self = () => ctx.selfId();

  const live = (groupId: string): FakeGroup => {
    const g = groups.get(groupId);
    if (!g || g.dismissed) return fail('NOT_FOUND', 'no such group');
    return g;
  };
  const membership = (groupId: string) => {
    const g = live(groupId);
    const me = g.members.get(self());
    if (!me) return fail('FORBIDDEN', 'not a member of this group');
    return { g, role: me.role };
  };
  const manager = (groupId: string) => {
    const m = membership(groupId);
    if (m.role === 'member') fail('FORBIDDEN', 'only the owner and admins may do this');
    return m.g;
  };
  const owner = (groupId: string) => {
    const m = membership(groupId);
    if (m.role !== 'owner') fail('FORBIDDEN', 'only the owner may do this');
    return m.g;
  };
  const requireUsers = (ids: readonly string[]) => {
    const missing = ids.filter((id) => id !== self() && !ctx.users.has(id));
    if (missing.length > 0) fail('NOT_FOUND', `no such users: ${missing.join(', ')}`);
  };
  const withoutBlockers = (ids: readonly string[]) => ({
    others: ids.filter((id) => !blockedBy.includes(id)),
    notAdded: ids.filter((id) => blockedBy.includes(id)),
  });
  const requireRoom = (g: FakeGroup, adding: number) => {
    const max = g.maxMembers ?? ctx.limits().maxGroupMembers;
    if (g.members.size + adding > max) fail('GROUP_FULL', `a group holds at most ${max} members`);
  };
  const ownerOf = (g: FakeGroup) => [...g.members].find(([, m]) => m.role === 'owner')?.[0] ?? '';

  /** The user's own view of the conversation: announced when they enter, rename, or are removed. */
  const announce = (g: FakeGroup, left: boolean) => {
    const convId = `g:${g.groupId}`;
    const prev = ctx.conversations.get(convId) ?? fakeConversation(convId, 'group', g.name, ctx.now());
    const next = { ...prev, title: g.name };
    if (left) next.left = true;
    else delete next.left;
    ctx.upsertConversation(next);
  };
  const entry = (g: FakeGroup, body: { event: string } & Record<string, unknown>) => {
    ctx.append(`g:${g.groupId}`, { from: self(), kind: 'system', body: { actor: self(), ...body } });
  };
  const add = (g: FakeGroup, ids: readonly string[], body: { event: string } & Record<string, unknown>) => {
    for (const id of ids) {
      g.members.set(id, { role: 'member', mutedUntil: 0 });
      g.requests.delete(id);
    }
    if (ids.includes(self())) announce(g, false);
    entry(g, body);
  };
  const remove = (g: FakeGroup, ids: readonly string[], body: { event: string } & Record<string, unknown>) => {
    entry(g, body);
    for (const id of ids) g.members.delete(id);
    if (ids.includes(self())) announce(g, true);
  };

  const info = (g: FakeGroup): GroupInfo => ({
    groupId: g.groupId,
    name: g.name,
    owner: ownerOf(g),
    admins: [...g.members].filter(([, m]) => m.role === 'admin').map(([id]) => id),
    announcement: g.announcement,
    joinPolicy: g.joinPolicy,
    memberCount: g.members.size,
    mutedAll: g.mutedAllUntil > ctx.now(),
  });

  return {
    groups: {
      create: (arg: { groupId?: string; name: string; members: string[]; joinPolicy: JoinPolicyName }) =>
        ctx.record('groups.create', arg, () => {
          const groupId = arg.groupId ?? `grp-${nextGroup++}`;
          const named = unique(arg.members).filter((id) => id !== self());
          if (named.length + 1 > ctx.limits().maxGroupMembers) fail('GROUP_FULL', `a group holds at most ${ctx.limits().maxGroupMembers} members`);
          requireUsers(named);
          const { others, notAdded } = withoutBlockers(named);
          if (groups.has(groupId)) fail('CONFLICT', 'a group with this id exists or existed');
          const g: FakeGroup = {
            groupId, name: arg.name, announcement: '', joinPolicy: arg.joinPolicy, members: new Map(), requests: new Map(),
            mutedAllUntil: 0, maxMembers: undefined, dismissed: false,
          };
          g.members.set(self(), { role: 'owner', mutedUntil: 0 });
          for (const id of others) g.members.set(id, { role: 'member', mutedUntil: 0 });
          groups.set(groupId, g);
          announce(g, false);
          entry(g, { event: 'group.created', targets: others, name: arg.name });
          return notAdded.length > 0 ? { groupId, convId: `g:${groupId}`, notAdded } : { groupId, convId: `g:${groupId}` };
        }),
    },
    group: {
      info: (arg: { groupId: string }) => ctx.record('group.info', arg, () => info(live(arg.groupId))),
      members: (arg: { groupId: string; cursor?: string; limit?: number }) =>
        ctx.record('group.members', arg, () => {
          const { g } = membership(arg.groupId);
          const start = arg.cursor === undefined ? 0 : Number(arg.cursor);
          if (!Number.isInteger(start) || start < 0) fail('BAD_REQUEST', 'cursor is not one this server issued');
          const limit = arg.limit ?? DEFAULT_PAGE;
          const sorted = [...g.members].sort(([, a], [, b]) => ROLE_RANK[a.role] - ROLE_RANK[b.role]);
          const now = ctx.now();
          const members: GroupMemberView[] = sorted
            .slice(start, start + limit)
            .map(([userId, m]) => (m.mutedUntil > now ? { userId, role: m.role, mutedUntil: m.mutedUntil } : { userId, role: m.role }));
          return start + limit < sorted.length ? { members, cursor: String(start + limit) } : { members };
        }),
      invite: (arg: { groupId: string; userIds: string[] }) =>
        ctx.record('group.invite', arg, () => {
          const { g, role } = membership(arg.groupId);
          if (g.joinPolicy === 'invite' && role === 'member') fail('FORBIDDEN', 'only the owner and admins may invite to this group');
          const named = unique(arg.userIds).filter((id) => !g.members.has(id));
          if (named.length === 0) return {};
          requireUsers(named);
          const { others: added, notAdded } = withoutBlockers(named);
          const answer = notAdded.length > 0 ? { notAdded } : {};
          if (added.length === 0) return answer;
          requireRoom(g, added.length);
          add(g, added, { event: 'member.invited', targets: added });
          return answer;
        }),
      kick: (arg: { groupId: string; userIds: string[] }) =>
        ctx.record('group.kick', arg, () => {
          const g = manager(arg.groupId);
          const targets = unique(arg.userIds).filter((id) => g.members.has(id));
          if (targets.includes(self())) fail('BAD_REQUEST', 'use group.leave to leave');
          if (targets.some((id) => g.members.get(id)?.role === 'owner')) fail('FORBIDDEN', 'the owner cannot be kicked');
          if (g.members.get(self())?.role === 'admin' && targets.some((id) => g.members.get(id)?.role === 'admin')) {
            fail('FORBIDDEN', 'only the owner may kick an admin');
          }
          if (targets.length === 0) return;
          remove(g, targets, { event: 'member.kicked', targets });
        }),
      join: (arg: { groupId: string; note?: string }) =>
        ctx.record('group.join', arg, () => {
          const g = live(arg.groupId);
          if (g.members.has(self())) return { status: 'joined' as const };
          if (g.joinPolicy === 'invite') fail('FORBIDDEN', 'this group is joined by invitation only');
          if (g.joinPolicy === 'approval') {
            g.requests.set(self(), { userId: self(), note: arg.note ?? '', ts: ctx.now() });
            return { status: 'pending' as const };
          }
          requireRoom(g, 1);
          add(g, [self()], { event: 'member.joined', targets: [self()] });
          return { status: 'joined' as const };
        }),
      requests: (arg: { groupId: string }) =>
        ctx.record('group.requests', arg, () => ({ requests: [...manager(arg.groupId).requests.values()].map((r) => ({ ...r })) })),
      approve: (arg: { groupId: string; userId: string }) =>
        ctx.record('group.approve', arg, () => {
          const g = manager(arg.groupId);
          if (!g.requests.has(arg.userId)) fail('NOT_FOUND', 'no join request from this user');
          if (g.members.has(arg.userId)) {
            g.requests.delete(arg.userId);
            return;
          }
          requireRoom(g, 1);
          add(g, [arg.userId], { event: 'member.joined', targets: [arg.userId] });
        }),
      reject: (arg: { groupId: string; userId: string }) =>
        ctx.record('group.reject', arg, () => {
          const g = manager(arg.groupId);
          if (!g.requests.delete(arg.userId)) fail('NOT_FOUND', 'no join request from this user');
        }),
      leave: (arg: { groupId: string }) =>
        ctx.record('group.leave', arg, () => {
          const { g, role } = membership(arg.groupId);
          if (role === 'owner') fail('FORBIDDEN', 'the owner must transfer the group or dismiss it');
          remove(g, [self()], { event: 'member.left', targets: [self()] });
        }),
      dismiss: (arg: { groupId: string }) =>
        ctx.record('group.dismiss', arg, () => {
          const g = owner(arg.groupId);
          remove(g, [...g.members.keys()], { event: 'group.dismissed' });
          g.requests.clear();
          g.dismissed = true;
        }),
      update: (arg: { groupId: string; name?: string; announcement?: string; joinPolicy?: JoinPolicyName }) =>
        ctx.record('group.update', arg, () => {
          const { name, announcement, joinPolicy } = arg;
          if (name === undefined && announcement === undefined && joinPolicy === undefined) fail('BAD_REQUEST', 'give at least one of name, announcement, joinPolicy');
          const g = manager(arg.groupId);
          const changed: Record<string, string> = {};
          if (name !== undefined) changed.name = g.name = name;
          if (announcement !== undefined) changed.announcement = g.announcement = announcement;
          if (joinPolicy !== undefined) changed.joinPolicy = g.joinPolicy = joinPolicy;
          entry(g, { event: 'group.updated', ...changed });
          if (name !== undefined) announce(g, false);
        }),
      transfer: (arg: { groupId: string; userId: string }) =>
        ctx.record('group.transfer', arg, () => {
          const g = owner(arg.groupId);
          if (arg.userId === self()) fail('BAD_REQUEST', 'you already own this group');
          const next = g.members.get(arg.userId);
          if (!next) return fail('NOT_FOUND', 'the new owner must be a member of the group');
          next.role = 'owner';
          const me = g.members.get(self());
          if (me) me.role = 'admin';
          entry(g, { event: 'owner.transferred', targets: [arg.userId] });
        }),
      setAdmins: (arg: { groupId: string; userIds: string[]; admin: boolean }) =>
        ctx.record('group.setAdmins', arg, () => {
          const g = owner(arg.groupId);
          const targets = unique(arg.userIds);
          if (targets.some((id) => g.members.get(id)?.role === 'owner')) fail('BAD_REQUEST', 'the owner is not named an admin');
          const missing = targets.filter((id) => !g.members.has(id));
          if (missing.length > 0) fail('NOT_FOUND', `not members of the group: ${missing.join(', ')}`);
          const changed = targets.filter((id) => (g.members.get(id)?.role === 'admin') !== arg.admin);
          if (changed.length === 0) return;
          for (const id of changed) {
            const m = g.members.get(id);
            if (m) m.role = arg.admin ? 'admin' : 'member';
          }
          entry(g, { event: 'admins.changed', targets: changed, admin: arg.admin });
        }),
      mute: (arg: { groupId: string; userId?: string; untilTs: number }) =>
        ctx.record('group.mute', arg, () => {
          const g = manager(arg.groupId);
          if (arg.userId === undefined) {
            g.mutedAllUntil = arg.untilTs;
            entry(g, { event: 'group.muted', untilTs: arg.untilTs });
            return;
          }
          const target = g.members.get(arg.userId);
          if (!target) return fail('NOT_FOUND', 'not a member of the group');
          if (arg.userId === self()) fail('BAD_REQUEST', 'you cannot mute yourself');
          if (target.role === 'owner') fail('FORBIDDEN', 'the owner cannot be muted');
          if (target.role === 'admin' && g.members.get(self())?.role !== 'owner') fail('FORBIDDEN', 'only the owner may mute an admin');
          target.mutedUntil = arg.untilTs;
          entry(g, { event: 'group.muted', targets: [arg.userId], untilTs: arg.untilTs });
        }),
      readCount: (arg: { groupId: string; seq: number }) =>
        ctx.record('group.readCount', arg, () => ({ count: 0, total: membership(arg.groupId).g.members.size - 1 })),
    },
  };
}
