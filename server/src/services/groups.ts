/**
 * Group operations (docs/protocol.md "Groups and chatrooms"): who may do what, and the `system` entry each change
 * writes into the group's log in the same transaction, so members who were offline catch up on membership and
 * settings the way they catch up on messages.
 */
import { randomUUID } from 'node:crypto';
import {
  ProtocolError,
  groupConvId,
  joinOutcome,
  mayDiscipline,
  mayDo,
  mayInvite,
  mayLeave,
  mayMention,
  muteOf,
  type Conversation,
  type GroupAction,
  type GroupInfo,
  type GroupSystemBody,
  type LogEntry,
  type OpRequest,
  type OpResult,
} from '../../../protocol/index.js';
import type { ServerConfig } from '../config.js';
import type { AppendItem, GroupChange, GroupRecord, MemberState, Storage } from '../storage/storage.js';
import { conversationOf } from './conversation-view.js';
import { GroupState, type GroupCache, type GroupMember } from './group-cache.js';
import type { Hub } from './hub.js';

/** The body of a group's `system` entry: `{event, actor, targets?}` plus the details of the change (protocol/system-events.ts). */
type SystemBody = GroupSystemBody;

const DEFAULT_PAGE = 100;
const CURSOR_RE = /^[012]:[A-Za-z0-9_.@-]{1,64}$/;

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

export class Groups {
  /** Changes of one group run one at a time, so each is checked against the state the previous one left. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly storage: Storage,
    private readonly cache: GroupCache,
    private readonly hub: Hub,
    private readonly config: ServerConfig,
  ) {}

  // --- access, shared with Messaging

  /** The group, if it exists and was not dismissed (NOT_FOUND otherwise). */
  async live(groupId: string): Promise<GroupState> {
    const g = await this.cache.get(groupId);
    if (!g || g.dismissed) throw new ProtocolError('NOT_FOUND', 'no such group');
    return g;
  }

  /** The group and the user's membership (FORBIDDEN for non-members, including removed ones). */
  async membership(groupId: string, userId: string): Promise<{ group: GroupState; member: GroupMember }> {
    const group = await this.live(groupId);
    const member = group.members.get(userId);
    if (!member) throw new ProtocolError('FORBIDDEN', 'not a member of this group');
    return { group, member };
  }

  /** Checks a member's `send`: MUTED while muted (or while everyone is, for plain members); `@all` by managers only. */
  checkSend(group: GroupState, member: GroupMember, mentions: readonly string[] | undefined, now: number): void {
    const mute = muteOf(member, group.group.mutedAllUntil, now);
    if (mute?.reason === 'muted') throw new ProtocolError('MUTED', 'you are muted in this group', { untilTs: mute.untilTs });
    if (mute?.reason === 'mutedAll') throw new ProtocolError('MUTED', 'only the owner and admins may speak in this group now', { untilTs: mute.untilTs });
    if (!mayMention(member.role, mentions)) throw new ProtocolError('FORBIDDEN', 'only the owner and admins may mention @all');
  }

  /** Active members right now (after a commit, so members who joined meanwhile get the entry too). */
  async recipients(groupId: string): Promise<readonly string[]> {
    return (await this.cache.get(groupId))?.memberIds ?? [];
  }

  // --- ops

  async create(actor: string, body: OpRequest<'group.create'>): Promise<OpResult<'group.create'>> {
    const groupId = body.groupId ?? randomUUID();
    const named = unique(body.members).filter((u) => u !== actor);
    if (named.length + 1 > this.config.maxGroupMembers) {
      throw new ProtocolError('GROUP_FULL', `a group holds at most ${this.config.maxGroupMembers} members`);
    }
    await this.requireUsers(named);
    const { others, notAdded } = await this.withoutBlockers(actor, named);
    return this.exclusive(groupId, async () => {
      const now = Date.now();
      const record: GroupRecord = { groupId, name: body.name, announcement: '', joinPolicy: body.joinPolicy, mutedAllUntil: 0, createdAt: now, dismissedAt: 0, public: false };
      const members = [{ userId: actor, role: 'owner' as const }, ...others.map((userId) => ({ userId, role: 'member' as const }))];
      const item = this.systemItem(groupId, actor, now, { event: 'group.created', actor, targets: others, name: body.name });
      const entry = await this.storage.createGroup(record, members, item);
      if (!entry) throw new ProtocolError('CONFLICT', 'a group with this id exists or existed');
      this.cache.invalidate(groupId);
      const all = [actor, ...others];
      await this.sendViews(groupId, actor, await this.storage.memberStates(groupConvId(groupId)));
      this.hub.send(all, 'msg', entry);
      return notAdded.length > 0 ? { groupId, notAdded } : { groupId };
    });
  }

  /** Any signed-in user may read a live group's card (to decide whether to join). */
  async info(_actor: string, groupId: string): Promise<GroupInfo> {
    const g = await this.live(groupId);
    return {
      groupId,
      name: g.group.name,
      owner: g.owner,
      admins: [...g.admins],
      announcement: g.group.announcement,
      joinPolicy: g.group.joinPolicy,
      memberCount: g.members.size,
      mutedAll: g.mutedAll(Date.now()),
      public: g.group.public,
    };
  }

  async members(actor: string, body: OpRequest<'group.members'>): Promise<OpResult<'group.members'>> {
    const { group } = await this.membership(body.groupId, actor);
    if (body.cursor !== undefined && !CURSOR_RE.test(body.cursor)) throw new ProtocolError('BAD_REQUEST', 'cursor is not one this server issued');
    const limit = body.limit ?? DEFAULT_PAGE;
    const sorted = group.sorted();
    const start = body.cursor === undefined ? 0 : group.indexAfter(body.cursor);
    const page = sorted.slice(start, start + limit);
    const now = Date.now();
    const members = page.map((m) => (m.mutedUntil > now ? { userId: m.userId, role: m.role, mutedUntil: m.mutedUntil } : { userId: m.userId, role: m.role }));
    const result: OpResult<'group.members'> = { members };
    if (start + limit < sorted.length && page.length > 0) result.cursor = GroupState.cursorOf(page[page.length - 1]!);
    return result;
  }

  async invite(actor: string, groupId: string, userIds: readonly string[]): Promise<OpResult<'group.invite'>> {
    return this.exclusive(groupId, async () => {
      const { group, member } = await this.membership(groupId, actor);
      if (!mayInvite(member.role, group.group.joinPolicy)) {
        throw new ProtocolError('FORBIDDEN', 'only the owner and admins may invite to this group');
      }
      const named = unique(userIds).filter((u) => !group.members.has(u));
      if (named.length === 0) return {};
      await this.requireUsers(named);
      const { others: added, notAdded } = await this.withoutBlockers(actor, named);
      const answer = notAdded.length > 0 ? { notAdded } : {};
      if (added.length === 0) return answer;
      this.requireRoom(group, added.length);
      await this.addMembers(group, actor, added, { event: 'member.invited', actor, targets: added });
      return answer;
    });
  }

  async join(actor: string, groupId: string, note: string | undefined): Promise<OpResult<'group.join'>> {
    return this.exclusive(groupId, async () => {
      const group = await this.live(groupId);
      if (group.members.has(actor)) return { status: 'joined' as const };
      const outcome = joinOutcome(group.group.joinPolicy);
      if (outcome === 'forbidden') throw new ProtocolError('FORBIDDEN', 'this group is joined by invitation only');
      if (outcome === 'pending') {
        const request = { userId: actor, note: note ?? '', ts: Date.now() };
        await this.storage.putJoinRequest(groupId, request);
        const managers = [group.owner, ...group.admins];
        this.hub.send(managers, 'group.request', { groupId, ...request });
        return { status: 'pending' as const };
      }
      this.requireRoom(group, 1);
      await this.addMembers(group, actor, [actor], { event: 'member.joined', actor, targets: [actor] });
      return { status: 'joined' as const };
    });
  }

  async requests(actor: string, groupId: string): Promise<OpResult<'group.requests'>> {
    await this.allowed(groupId, actor, 'requests');
    return { requests: await this.storage.joinRequests(groupId) };
  }

  async approve(actor: string, groupId: string, userId: string): Promise<void> {
    await this.exclusive(groupId, async () => {
      const group = await this.allowed(groupId, actor, 'approve');
      if (!(await this.storage.getJoinRequest(groupId, userId))) throw new ProtocolError('NOT_FOUND', 'no join request from this user');
      if (group.members.has(userId)) {
        await this.storage.deleteJoinRequest(groupId, userId);
        return;
      }
      this.requireRoom(group, 1);
      await this.addMembers(group, actor, [userId], { event: 'member.joined', actor, targets: [userId] });
    });
  }

  async reject(actor: string, groupId: string, userId: string): Promise<void> {
    await this.exclusive(groupId, async () => {
      await this.allowed(groupId, actor, 'reject');
      if (!(await this.storage.deleteJoinRequest(groupId, userId))) throw new ProtocolError('NOT_FOUND', 'no join request from this user');
    });
  }

  async leave(actor: string, groupId: string): Promise<void> {
    await this.exclusive(groupId, async () => {
      const { group, member } = await this.membership(groupId, actor);
      if (!mayLeave(member.role)) throw new ProtocolError('FORBIDDEN', 'the owner must transfer the group or dismiss it');
      await this.removeMembers(group, actor, [actor], { event: 'member.left', actor, targets: [actor] });
    });
  }

  async kick(actor: string, groupId: string, userIds: readonly string[]): Promise<void> {
    await this.exclusive(groupId, async () => {
      const group = await this.allowed(groupId, actor, 'kick');
      const targets = unique(userIds).filter((u) => group.members.has(u));
      if (targets.includes(actor)) throw new ProtocolError('BAD_REQUEST', 'use group.leave to leave');
      if (targets.includes(group.owner)) throw new ProtocolError('FORBIDDEN', 'the owner cannot be kicked');
      if (!targets.every((u) => mayDiscipline(group.role(actor), group.role(u)))) {
        throw new ProtocolError('FORBIDDEN', 'only the owner may kick an admin');
      }
      if (targets.length === 0) return;
      await this.removeMembers(group, actor, targets, { event: 'member.kicked', actor, targets });
    });
  }

  async dismiss(actor: string, groupId: string): Promise<void> {
    await this.exclusive(groupId, async () => {
      const group = await this.allowed(groupId, actor, 'dismiss');
      const all = [...group.memberIds];
      const states = await this.storage.memberStates(group.convId);
      const entry = await this.commit(group, actor, { set: { dismissedAt: Date.now() }, remove: all, dropRequests: 'all' }, { event: 'group.dismissed', actor });
      this.hub.send(all, 'msg', entry);
      await this.sendViews(groupId, actor, states, true);
    });
  }

  async update(actor: string, body: OpRequest<'group.update'>): Promise<void> {
    const { groupId, name, announcement, joinPolicy } = body;
    const listed = body.public;
    if (name === undefined && announcement === undefined && joinPolicy === undefined && listed === undefined) {
      throw new ProtocolError('BAD_REQUEST', 'give at least one of name, announcement, joinPolicy, public');
    }
    await this.exclusive(groupId, async () => {
      const group = await this.allowed(groupId, actor, 'update');
      const body: SystemBody = { event: 'group.updated', actor };
      if (name !== undefined) body.name = name;
      if (announcement !== undefined) body.announcement = announcement;
      if (joinPolicy !== undefined) body.joinPolicy = joinPolicy;
      if (listed !== undefined) body.public = listed;
      const entry = await this.commit(group, actor, { set: { name, announcement, joinPolicy, public: listed } }, body);
      this.hub.send(group.memberIds, 'msg', entry);
      // The name is the conversation's title, so every member's conversation object changed.
      if (name !== undefined) await this.sendViews(groupId, actor, await this.storage.memberStates(group.convId));
    });
  }

  async transfer(actor: string, groupId: string, userId: string): Promise<void> {
    await this.exclusive(groupId, async () => {
      const group = await this.allowed(groupId, actor, 'transfer');
      if (userId === actor) throw new ProtocolError('BAD_REQUEST', 'you already own this group');
      if (!group.members.has(userId)) throw new ProtocolError('NOT_FOUND', 'the new owner must be a member of the group');
      const roles = [
        { userId, role: 'owner' as const },
        { userId: actor, role: 'admin' as const },
      ];
      const entry = await this.commit(group, actor, { roles }, { event: 'owner.transferred', actor, targets: [userId] });
      this.hub.send(group.memberIds, 'msg', entry);
    });
  }

  async setAdmins(actor: string, groupId: string, userIds: readonly string[], admin: boolean): Promise<void> {
    await this.exclusive(groupId, async () => {
      const group = await this.allowed(groupId, actor, 'setAdmins');
      const targets = unique(userIds);
      if (targets.includes(group.owner)) throw new ProtocolError('BAD_REQUEST', 'the owner is not named an admin');
      const missing = targets.filter((u) => !group.members.has(u));
      if (missing.length > 0) throw new ProtocolError('NOT_FOUND', `not members of the group: ${missing.join(', ')}`);
      const changed = targets.filter((u) => (group.role(u) === 'admin') !== admin);
      if (changed.length === 0) return;
      const role = admin ? ('admin' as const) : ('member' as const);
      const entry = await this.commit(
        group,
        actor,
        { roles: changed.map((userId) => ({ userId, role })) },
        { event: 'admins.changed', actor, targets: changed, admin },
      );
      this.hub.send(group.memberIds, 'msg', entry);
    });
  }

  async mute(actor: string, body: OpRequest<'group.mute'>): Promise<void> {
    const { groupId, userId, untilTs } = body;
    await this.exclusive(groupId, async () => {
      const group = await this.allowed(groupId, actor, 'mute');
      let change: Omit<GroupChange, 'groupId'>;
      let event: SystemBody;
      if (userId === undefined) {
        change = { set: { mutedAllUntil: untilTs } };
        event = { event: 'group.muted', actor, untilTs };
      } else {
        const role = group.role(userId);
        if (!role) throw new ProtocolError('NOT_FOUND', 'not a member of the group');
        if (userId === actor) throw new ProtocolError('BAD_REQUEST', 'you cannot mute yourself');
        if (role === 'owner') throw new ProtocolError('FORBIDDEN', 'the owner cannot be muted');
        if (!mayDiscipline(group.role(actor), role)) throw new ProtocolError('FORBIDDEN', 'only the owner may mute an admin');
        change = { mutes: [{ userId, untilTs }] };
        event = { event: 'group.muted', actor, targets: [userId], untilTs };
      }
      const entry = await this.commit(group, actor, change, event);
      this.hub.send(group.memberIds, 'msg', entry);
    });
  }

  /** Extension: how many members (besides its sender) have read up to the entry `seq`, out of how many. */
  async readCount(actor: string, groupId: string, seq: number): Promise<OpResult<'group.readCount'>> {
    const { group } = await this.membership(groupId, actor);
    const entry = await this.storage.getEntry(group.convId, seq);
    if (!entry) throw new ProtocolError('NOT_FOUND', 'no such entry');
    return this.storage.readCount(group.convId, seq, entry.from);
  }

  // --- helpers

  private async exclusive<T>(groupId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(groupId) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(groupId, tail);
    void tail.then(() => {
      if (this.locks.get(groupId) === tail) this.locks.delete(groupId);
    });
    return run;
  }

  /** The group, when the actor is a member whose role allows `action` (FORBIDDEN otherwise). */
  private async allowed(groupId: string, actor: string, action: GroupAction): Promise<GroupState> {
    const { group, member } = await this.membership(groupId, actor);
    if (!mayDo(member.role, action)) {
      throw new ProtocolError('FORBIDDEN', mayDo('admin', action) ? 'only the owner and admins may do this' : 'only the owner may do this');
    }
    return group;
  }

  private requireRoom(group: GroupState, adding: number): void {
    if (group.members.size + adding > this.config.maxGroupMembers) {
      throw new ProtocolError('GROUP_FULL', `a group holds at most ${this.config.maxGroupMembers} members`);
    }
  }

  private async requireUsers(userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    const found = new Set((await this.storage.getUsers(userIds)).map((u) => u.userId));
    const missing = userIds.filter((u) => !found.has(u));
    if (missing.length > 0) throw new ProtocolError('NOT_FOUND', `no such users: ${missing.slice(0, 10).join(', ')}`);
  }

  /**
   * Splits the users the actor would add into those who may be added and those who blocked the actor: nobody is put
   * into a group by someone they blocked. The answer names the latter without saying why.
   */
  private async withoutBlockers(actor: string, userIds: readonly string[]): Promise<{ others: string[]; notAdded: string[] }> {
    const blockers = new Set(await this.storage.blockersAmong(actor, userIds));
    return { others: userIds.filter((u) => !blockers.has(u)), notAdded: userIds.filter((u) => blockers.has(u)) };
  }

  private systemItem(groupId: string, actor: string, ts: number, body: Record<string, unknown>): AppendItem {
    return {
      convId: groupConvId(groupId),
      convKind: 'group',
      // Group members are managed here, never by appends.
      members: [],
      msgId: randomUUID(),
      clientMsgId: `system-${randomUUID()}`,
      from: actor,
      ts,
      kind: 'system',
      body,
    };
  }

  /** Stores the change with its system entry and drops the cached group. */
  private async commit(group: GroupState, actor: string, change: Omit<GroupChange, 'groupId'>, body: SystemBody): Promise<LogEntry> {
    const item = this.systemItem(group.groupId, actor, Date.now(), body);
    try {
      return await this.storage.changeGroup({ groupId: group.groupId, ...change }, item);
    } finally {
      this.cache.invalidate(group.groupId);
    }
  }

  private async addMembers(group: GroupState, actor: string, added: string[], body: SystemBody): Promise<void> {
    const entry = await this.commit(group, actor, { add: added, dropRequests: added }, body);
    // The new members learn of the conversation first, then everyone (them included) gets the entry.
    const isAdded = new Set(added);
    const states = (await this.storage.memberStates(group.convId)).filter((s) => isAdded.has(s.userId));
    await this.sendViews(group.groupId, actor, states);
    this.hub.send([...group.memberIds, ...added], 'msg', entry);
  }

  /** Removed members still get the entry that removes them, then a `conv` event marked `removed`; nothing after. */
  private async removeMembers(group: GroupState, actor: string, removed: string[], body: SystemBody): Promise<void> {
    const isRemoved = new Set(removed);
    const states = (await this.storage.memberStates(group.convId)).filter((s) => isRemoved.has(s.userId));
    const entry = await this.commit(group, actor, { remove: removed }, body);
    this.hub.send(group.memberIds, 'msg', entry);
    await this.sendViews(group.groupId, actor, states, true);
  }

  /** Sends each member in `states` their own conversation object (one query for what they share). */
  private async sendViews(groupId: string, anyMember: string, states: readonly MemberState[], removed = false): Promise<void> {
    if (states.length === 0) return;
    const base = await this.storage.getConversation(anyMember, groupConvId(groupId));
    if (!base) return;
    for (const s of states) {
      const view: Conversation = conversationOf({ ...base, readSeq: s.readSeq, muted: s.muted, pinned: s.pinned });
      if (removed) view.removed = true;
      this.hub.send([s.userId], 'conv', view);
    }
  }
}
