/**
 * Conversations and their logs: send, recall, history, read receipts, typing, per-user settings and
 * blocks, for private chats, groups and chatrooms alike. Shared by the WebSocket ops and the admin API;
 * every call checks who may do it (group rules come from Groups, room membership from Rooms).
 */
import { randomUUID } from 'node:crypto';
import {
  FILE_KINDS,
  NOT_CONTACTS_REASON,
  ProtocolError,
  isEntryKind,
  isSendableKind,
  parseConvId,
  parseEntryBody,
  recallVerdict,
  type Conversation,
  type EntryKind,
  type LogEntry,
  type UserInfo,
} from '../../../protocol/index.js';
import type { ServerConfig } from '../config.js';
import type { AppendItem, ConversationRow, Storage, UserRecord } from '../storage/storage.js';
import type { Committer } from './committer.js';
import { conversationOf } from './conversation-view.js';
import type { GroupMember, GroupState } from './group-cache.js';
import type { Groups } from './groups.js';
import type { Hub } from './hub.js';
import type { Admission, Rooms } from './rooms.js';
import type { SensitiveWordFilter } from './sensitive-words.js';

export interface SendInput {
  convId: string;
  clientMsgId: string;
  kind: string;
  body: Record<string, unknown>;
  mentions?: string[];
  replyTo?: number;
}

export interface SendOptions {
  /** The admin API may write `system` entries (and post into a chatroom without joining it); clients may not. */
  trusted?: boolean;
  /** The connection that sends (chatroom membership is per connection). */
  connectionId?: string;
  /** The sending connection: it learns the entry from its acknowledgement, so `msg` skips it. */
  exceptConnectionId?: string;
  /**
   * Called once the entry is queued for commit (or the send ended early), so a connection can start its next
   * send: sends then share a group commit while keeping their arrival order.
   */
  onQueued?: () => void;
}

export interface Ack {
  msgId: string;
  seq: number;
  ts: number;
}

function ackOf(entry: LogEntry): Ack {
  return { msgId: entry.msgId, seq: entry.seq, ts: entry.ts };
}

export function newMsgId(): string {
  return randomUUID();
}

/** A conversation the user may act in, resolved with what its kind needs. */
type Target =
  | { kind: 'private'; convId: string; members: readonly [string, string] }
  | { kind: 'group'; convId: string; groupId: string; group: GroupState; member: GroupMember; members: readonly string[] }
  | { kind: 'room'; convId: string; roomId: string; members: readonly string[] };

const NO_MEMBERS: readonly string[] = [];

export class Messaging {
  /** Users known to exist; accounts are never deleted, so a positive answer can be kept. */
  private readonly knownUsers = new Set<string>();
  /** The last fan-out of each conversation still running (see fanOut). */
  private readonly fanOuts = new Map<string, Promise<void>>();

  constructor(
    private readonly storage: Storage,
    private readonly committer: Committer,
    private readonly hub: Hub,
    private readonly words: SensitiveWordFilter,
    private readonly config: ServerConfig,
    private readonly groups: Groups,
    private readonly rooms: Rooms,
  ) {}

  async userExists(userId: string): Promise<boolean> {
    if (this.knownUsers.has(userId)) return true;
    const exists = (await this.storage.getUser(userId)) !== null;
    if (exists) this.knownUsers.add(userId);
    return exists;
  }

  /**
   * Parses a conversation id the user may act in; throws otherwise. A chatroom needs the acting connection to
   * have joined it (unless `trusted`: the admin API).
   */
  private async conversationFor(userId: string, convId: string, connectionId?: string, trusted = false): Promise<Target> {
    const parsed = parseConvId(convId);
    if (!parsed) throw new ProtocolError('BAD_REQUEST', 'convId is not a canonical conversation id');
    switch (parsed.kind) {
      case 'private':
        if (!parsed.members.includes(userId)) throw new ProtocolError('FORBIDDEN', 'not a member of this conversation');
        return parsed;
      case 'group': {
        const { group, member } = await this.groups.membership(parsed.groupId, userId);
        return { kind: 'group', convId, groupId: parsed.groupId, group, member, members: group.memberIds };
      }
      case 'room':
        if (trusted) this.rooms.requireRoom(parsed.roomId);
        else this.rooms.requireMember(parsed.roomId, connectionId);
        return { kind: 'room', convId, roomId: parsed.roomId, members: NO_MEMBERS };
    }
  }

  async send(userId: string, input: SendInput, options: SendOptions = {}): Promise<Ack> {
    try {
      return await this.sendInOrder(userId, input, options);
    } finally {
      options.onQueued?.();
    }
  }

  private async sendInOrder(userId: string, input: SendInput, options: SendOptions): Promise<Ack> {
    // A retry is answered with the original acknowledgement before anything else is checked.
    const previous = await this.storage.findByClientMsgId(userId, input.clientMsgId);
    if (previous) return ackOf(previous);

    const conv = await this.conversationFor(userId, input.convId, options.connectionId, options.trusted);
    const kind = input.kind;
    const allowed = options.trusted ? isEntryKind(kind) && kind !== 'recall' : isSendableKind(kind);
    if (!allowed) throw new ProtocolError('BAD_REQUEST', `kind "${kind}" cannot be sent`);
    const body = parseEntryBody(kind as EntryKind, input.body);

    if (conv.kind === 'group' && !options.trusted) this.groups.checkSend(conv.group, conv.member, input.mentions, Date.now());
    const peer = conv.kind === 'private' ? conv.members.find((m) => m !== userId)! : null;
    if (peer) {
      if (!(await this.userExists(peer))) throw new ProtocolError('NOT_FOUND', `user ${peer} does not exist`);
      if (await this.storage.isBlocked(peer, userId)) throw new ProtocolError('BLOCKED', 'the recipient does not accept your messages');
      // docs/protocol.md part 2, "Contacts": after the block check, so a blocked sender learns BLOCKED either way.
      if (this.config.messaging === 'contacts' && !options.trusted && !(await this.storage.isContact(userId, peer))) {
        throw new ProtocolError('FORBIDDEN', 'this server lets only contacts message each other', { reason: NOT_CONTACTS_REASON });
      }
    }
    if (kind === 'text' || kind === 'edit') body.text = this.words.apply(body.text as string);
    if (kind === 'edit') await this.checkEdit(userId, input.convId, body.seq as number);
    if (input.replyTo !== undefined && !(await this.storage.getEntry(input.convId, input.replyTo))) {
      throw new ProtocolError('BAD_REQUEST', 'replyTo names no entry of this conversation');
    }
    const mentions = input.mentions ? [...new Set(input.mentions)] : undefined;

    let fileIds: string[] | undefined;
    if (FILE_KINDS.has(kind as EntryKind)) {
      const fileId = body.fileId as string;
      // Only a file the sender may read becomes readable to the conversation.
      if (await this.storage.mayReadFile(fileId, userId)) fileIds = [fileId];
    }

    const item: AppendItem = {
      convId: input.convId,
      convKind: conv.kind,
      // Only private chats get their members from appends; groups manage theirs, rooms keep none.
      members: conv.kind === 'private' ? conv.members : NO_MEMBERS,
      msgId: newMsgId(),
      clientMsgId: input.clientMsgId,
      from: userId,
      ts: Date.now(),
      kind: kind as EntryKind,
      body,
      mentions,
      replyTo: input.replyTo,
      fileIds,
      requires: conv.kind === 'group' ? 'member' : conv.kind === 'room' ? 'room' : undefined,
    };
    // Last check before storing: a chatroom whose backlog is full refuses the send (nothing stored, RATE_LIMITED).
    const admission: Admission | null = conv.kind === 'room' ? this.rooms.admit(conv.roomId) : null;
    const committed = this.committer.append(item);
    options.onQueued?.();
    const outcome = await committed;
    if (outcome.status === 'failed') {
      admission?.settle(null);
      if (outcome.error instanceof ProtocolError) throw outcome.error;
      throw new ProtocolError('INTERNAL', 'the message could not be stored; retry');
    }
    if (outcome.status === 'stored') {
      if (admission) admission.settle(outcome.entry, options.exceptConnectionId);
      else await this.fanOut(conv, outcome.entry, options.exceptConnectionId);
    } else {
      admission?.settle(null);
    }
    return ackOf(outcome.entry);
  }

  private async checkEdit(userId: string, convId: string, seq: number): Promise<void> {
    const target = await this.storage.getEntry(convId, seq);
    if (!target) throw new ProtocolError('NOT_FOUND', 'no entry to edit');
    if (target.from !== userId) throw new ProtocolError('FORBIDDEN', 'only the sender may edit a message');
    if (target.kind !== 'text' || target.recalled) throw new ProtocolError('BAD_REQUEST', 'only a text message that was not recalled can be edited');
  }

  /**
   * Delivers a stored entry to every device of every member, after the conversation's earlier entries: a fan-out
   * that waits (a new private chat's views, a group's member list read from storage) holds back the later ones, so
   * members get a conversation's entries in seq order. Calls come in seq order, as commits resolve in it.
   */
  private fanOut(conv: Target, entry: LogEntry, exceptConnectionId?: string): Promise<void> {
    const before = this.fanOuts.get(entry.convId);
    const done = (before ?? Promise.resolve()).then(() => this.deliverEntry(conv, entry, exceptConnectionId));
    const tail = done.catch(() => undefined);
    this.fanOuts.set(entry.convId, tail);
    void tail.then(() => {
      if (this.fanOuts.get(entry.convId) === tail) this.fanOuts.delete(entry.convId);
    });
    return done;
  }

  /** A new private chat is announced (its `conv` event) before its first entry. */
  private async deliverEntry(conv: Target, entry: LogEntry, exceptConnectionId?: string): Promise<void> {
    switch (conv.kind) {
      case 'private':
        if (entry.seq === 1) {
          for (const member of conv.members) {
            const view = await this.conversationView(member, entry.convId);
            if (view) this.hub.send([member], 'conv', view);
          }
        }
        this.hub.send(conv.members, 'msg', entry, exceptConnectionId);
        return;
      case 'group':
        // Members as they are now: one who joined while the entry was being stored gets it too.
        this.hub.send(await this.groups.recipients(conv.groupId), 'msg', entry, exceptConnectionId);
        return;
      case 'room':
        this.rooms.deliver(conv.roomId, entry);
        return;
    }
  }

  /**
   * Answers `{seq}` as docs/protocol.md says; a recall named with a clientMsgId (extension) is answered like a send,
   * `{seq, msgId, ts}`, and a retry with the same clientMsgId gets the first answer.
   */
  async recall(userId: string, input: { convId: string; seq: number; clientMsgId?: string }, connectionId?: string): Promise<{ seq: number } | Ack> {
    const { convId, seq } = input;
    // A retry (same clientMsgId) is answered with the first answer before anything else is checked, as for send.
    if (input.clientMsgId !== undefined) {
      const previous = await this.storage.findByClientMsgId(userId, input.clientMsgId);
      if (previous) {
        if (previous.kind !== 'recall' || previous.convId !== convId) throw new ProtocolError('CONFLICT', 'that clientMsgId names another entry');
        return ackOf(previous);
      }
    }
    const conv = await this.conversationFor(userId, convId, connectionId);
    const target = await this.storage.getEntry(convId, seq);
    if (!target) throw new ProtocolError('NOT_FOUND', 'no such entry');
    if (target.kind === 'recall' || target.kind === 'system') throw new ProtocolError('BAD_REQUEST', 'this entry cannot be recalled');
    if (target.recalled) throw new ProtocolError('CONFLICT', 'already recalled');
    // A group's owner and admins may recall any entry, at any time; everyone else only their own, within the window.
    const verdict = recallVerdict({
      role: conv.kind === 'group' ? conv.member.role : null,
      own: target.from === userId,
      sentAt: target.ts,
      now: Date.now(),
      recallWindowMs: this.config.recallWindowMs,
    });
    if (verdict === 'not-own') throw new ProtocolError('FORBIDDEN', 'only the sender may recall this message');
    if (verdict === 'too-late') throw new ProtocolError('FORBIDDEN', `messages can be recalled within ${Math.round(this.config.recallWindowMs / 1000)} s`);
    const entry = await this.storage.recall(
      {
        convId,
        convKind: conv.kind,
        members: conv.kind === 'private' ? conv.members : NO_MEMBERS,
        msgId: newMsgId(),
        clientMsgId: input.clientMsgId ?? `recall-${randomUUID()}`,
        from: userId,
        ts: Date.now(),
        kind: 'recall',
        body: { seq },
      },
      seq,
    );
    await this.fanOut(conv, entry);
    return input.clientMsgId !== undefined ? ackOf(entry) : { seq: entry.seq };
  }

  async history(userId: string, q: { convId: string; afterSeq?: number; beforeSeq?: number; limit?: number }, connectionId?: string): Promise<LogEntry[]> {
    await this.conversationFor(userId, q.convId, connectionId);
    if (q.afterSeq !== undefined && q.beforeSeq !== undefined) throw new ProtocolError('BAD_REQUEST', 'give afterSeq or beforeSeq, not both');
    return this.storage.history(q.convId, { afterSeq: q.afterSeq, beforeSeq: q.beforeSeq, limit: q.limit ?? 50 });
  }

  async read(userId: string, convId: string, seq: number, connectionId: string): Promise<void> {
    const conv = await this.conversationFor(userId, convId, connectionId);
    if (conv.kind === 'room') throw new ProtocolError('BAD_REQUEST', 'chatrooms keep no read state');
    if (!(await this.storage.isMember(convId, userId))) return; // nothing sent yet: nothing to read
    const before = await this.storage.getConversation(userId, convId);
    const readSeq = await this.storage.raiseReadSeq(convId, userId, seq);
    if (!before || readSeq <= before.readSeq) return;
    const event = { convId, userId, seq: readSeq };
    if (conv.kind === 'private') this.hub.send(conv.members.filter((m) => m !== userId), 'read', event);
    this.hub.send([userId], 'read', event, connectionId);
  }

  async typing(userId: string, convId: string, connectionId?: string): Promise<void> {
    const conv = await this.conversationFor(userId, convId, connectionId);
    if (conv.kind === 'room') throw new ProtocolError('BAD_REQUEST', 'chatrooms carry no typing indicators');
    // Big groups answer but tell nobody: "someone is typing" means little among hundreds, and costs a frame
    // per member connection per keystroke burst.
    if (conv.kind === 'group' && conv.members.length > this.config.typingMaxGroupMembers) return;
    const others = conv.members.filter((m) => m !== userId);
    // A blocked user's messages are refused; their "typing…" is dropped as quietly.
    const peer = conv.kind === 'private' ? others[0] : undefined;
    if (peer !== undefined && (await this.storage.isBlocked(peer, userId))) return;
    this.hub.send(others, 'typing', { convId, userId });
  }

  async updateConversation(userId: string, convId: string, settings: { muted?: boolean; pinned?: boolean }, connectionId?: string): Promise<void> {
    const conv = await this.conversationFor(userId, convId, connectionId);
    if (conv.kind === 'room') throw new ProtocolError('BAD_REQUEST', 'chatrooms keep no per-user settings');
    if (!(await this.storage.isMember(convId, userId))) throw new ProtocolError('NOT_FOUND', 'no such conversation yet');
    await this.storage.updateMemberSettings(convId, userId, settings);
    const view = await this.conversationView(userId, convId);
    if (view) this.hub.send([userId], 'conv', view);
  }

  async sync(userId: string): Promise<Conversation[]> {
    const rows = await this.storage.listConversations(userId);
    const names = await this.namesOf(rows.map((r) => r.peerId).filter((id): id is string => id !== null));
    return rows.map((row) => this.toConversation(row, names));
  }

  async conversationView(userId: string, convId: string): Promise<Conversation | null> {
    const row = await this.storage.getConversation(userId, convId);
    if (!row) return null;
    return this.toConversation(row, await this.namesOf(row.peerId ? [row.peerId] : []));
  }

  private async namesOf(userIds: string[]): Promise<Map<string, string>> {
    const users = await this.storage.getUsers(userIds);
    return new Map(users.map((u) => [u.userId, u.name]));
  }

  private toConversation(row: ConversationRow, names: Map<string, string>): Conversation {
    return conversationOf(row, row.peerId ? names.get(row.peerId) : undefined);
  }

  async block(userId: string, other: string): Promise<void> {
    if (other === userId) throw new ProtocolError('BAD_REQUEST', 'you cannot block yourself');
    if (!(await this.userExists(other))) throw new ProtocolError('NOT_FOUND', `user ${other} does not exist`);
    await this.storage.block(userId, other, Date.now());
  }

  async unblock(userId: string, other: string): Promise<void> {
    await this.storage.unblock(userId, other);
  }

  async blocks(userId: string): Promise<string[]> {
    return this.storage.blocks(userId);
  }

  /**
   * Users as `viewer` may see them: presence (online, lastSeen) only where the `presence` events' rule lets the
   * viewer see it, and for the viewer itself; otherwise offline with lastSeen 0, the answer's shape kept.
   */
  async users(viewer: string, userIds: readonly string[]): Promise<UserInfo[]> {
    return this.userInfos(viewer, await this.storage.getUsers(userIds));
  }

  /** Users already read, as `viewer` may see them (the rule of `users`; also the directory's answers). */
  async userInfos(viewer: string, records: readonly UserRecord[]): Promise<UserInfo[]> {
    const visible = new Set(await this.storage.presenceVisible(viewer, records.map((u) => u.userId)));
    visible.add(viewer);
    return records.map((u) => {
      const shown = visible.has(u.userId);
      const info: UserInfo = { userId: u.userId, name: u.name, online: shown && this.hub.isOnline(u.userId), lastSeen: shown ? u.lastSeen : 0 };
      if (u.avatar) info.avatar = u.avatar;
      if (u.status) info.status = u.status;
      return info;
    });
  }
}
