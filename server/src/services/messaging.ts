/**
 * Conversations and their logs: send, recall, history, read receipts, typing, per-user settings and
 * blocks. Shared by the WebSocket ops and the admin API; every call checks who may do it.
 */
import { randomUUID } from 'node:crypto';
import {
  FILE_KINDS,
  ProtocolError,
  isEntryKind,
  isSendableKind,
  parseConvId,
  parseEntryBody,
  type Conversation,
  type EntryKind,
  type LogEntry,
  type ParsedConvId,
  type UserInfo,
} from '../../../protocol/index.js';
import type { ServerConfig } from '../config.js';
import type { AppendItem, ConversationRow, Storage } from '../storage/storage.js';
import type { Committer } from './committer.js';
import type { Hub } from './hub.js';
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
  /** The admin API may write `system` entries; clients may not. */
  trusted?: boolean;
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

export class Messaging {
  /** Users known to exist; accounts are never deleted, so a positive answer can be kept. */
  private readonly knownUsers = new Set<string>();

  constructor(
    private readonly storage: Storage,
    private readonly committer: Committer,
    private readonly hub: Hub,
    private readonly words: SensitiveWordFilter,
    private readonly config: ServerConfig,
  ) {}

  async userExists(userId: string): Promise<boolean> {
    if (this.knownUsers.has(userId)) return true;
    const exists = (await this.storage.getUser(userId)) !== null;
    if (exists) this.knownUsers.add(userId);
    return exists;
  }

  /** Parses a conversation id the user may act in; throws otherwise. */
  private async conversationFor(userId: string, convId: string): Promise<ParsedConvId & { members: readonly string[] }> {
    const parsed = parseConvId(convId);
    if (!parsed) throw new ProtocolError('BAD_REQUEST', 'convId is not a canonical conversation id');
    if (parsed.kind !== 'private') throw new ProtocolError('NOT_FOUND', 'no such conversation');
    if (!parsed.members.includes(userId)) throw new ProtocolError('FORBIDDEN', 'not a member of this conversation');
    return parsed;
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

    const conv = await this.conversationFor(userId, input.convId);
    const kind = input.kind;
    const allowed = options.trusted ? isEntryKind(kind) && kind !== 'recall' : isSendableKind(kind);
    if (!allowed) throw new ProtocolError('BAD_REQUEST', `kind "${kind}" cannot be sent`);
    const body = parseEntryBody(kind as EntryKind, input.body);

    const peer = conv.kind === 'private' ? conv.members.find((m) => m !== userId)! : null;
    if (peer) {
      if (!(await this.userExists(peer))) throw new ProtocolError('NOT_FOUND', `user ${peer} does not exist`);
      if (await this.storage.isBlocked(peer, userId)) throw new ProtocolError('BLOCKED', 'the recipient does not accept your messages');
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
      members: conv.members,
      msgId: newMsgId(),
      clientMsgId: input.clientMsgId,
      from: userId,
      ts: Date.now(),
      kind: kind as EntryKind,
      body,
      mentions,
      replyTo: input.replyTo,
      fileIds,
    };
    const committed = this.committer.append(item);
    options.onQueued?.();
    const outcome = await committed;
    if (outcome.status === 'failed') throw new ProtocolError('INTERNAL', 'the message could not be stored; retry');
    if (outcome.status === 'stored') await this.fanOut(outcome.entry, conv.members, options.exceptConnectionId);
    return ackOf(outcome.entry);
  }

  private async checkEdit(userId: string, convId: string, seq: number): Promise<void> {
    const target = await this.storage.getEntry(convId, seq);
    if (!target) throw new ProtocolError('NOT_FOUND', 'no entry to edit');
    if (target.from !== userId) throw new ProtocolError('FORBIDDEN', 'only the sender may edit a message');
    if (target.kind !== 'text' || target.recalled) throw new ProtocolError('BAD_REQUEST', 'only a text message that was not recalled can be edited');
  }

  /** Delivers a stored entry to every device of every member; a new conversation is announced first. */
  private async fanOut(entry: LogEntry, members: readonly string[], exceptConnectionId?: string): Promise<void> {
    if (entry.seq === 1) {
      for (const member of members) {
        const conv = await this.conversationView(member, entry.convId);
        if (conv) this.hub.send([member], 'conv', conv);
      }
    }
    this.hub.send(members, 'msg', entry, exceptConnectionId);
  }

  async recall(userId: string, convId: string, seq: number): Promise<{ seq: number }> {
    const conv = await this.conversationFor(userId, convId);
    const target = await this.storage.getEntry(convId, seq);
    if (!target) throw new ProtocolError('NOT_FOUND', 'no such entry');
    if (target.kind === 'recall' || target.kind === 'system') throw new ProtocolError('BAD_REQUEST', 'this entry cannot be recalled');
    if (target.recalled) throw new ProtocolError('CONFLICT', 'already recalled');
    if (target.from !== userId) throw new ProtocolError('FORBIDDEN', "only the sender may recall this message");
    if (Date.now() - target.ts > this.config.recallWindowMs) {
      throw new ProtocolError('FORBIDDEN', `messages can be recalled within ${Math.round(this.config.recallWindowMs / 1000)} s`);
    }
    const entry = await this.storage.recall(
      {
        convId,
        convKind: conv.kind,
        members: conv.members,
        msgId: newMsgId(),
        clientMsgId: `recall-${randomUUID()}`,
        from: userId,
        ts: Date.now(),
        kind: 'recall',
        body: { seq },
      },
      seq,
    );
    this.hub.send(conv.members, 'msg', entry);
    return { seq: entry.seq };
  }

  async history(userId: string, q: { convId: string; afterSeq?: number; beforeSeq?: number; limit?: number }): Promise<LogEntry[]> {
    await this.conversationFor(userId, q.convId);
    if (q.afterSeq !== undefined && q.beforeSeq !== undefined) throw new ProtocolError('BAD_REQUEST', 'give afterSeq or beforeSeq, not both');
    return this.storage.history(q.convId, { afterSeq: q.afterSeq, beforeSeq: q.beforeSeq, limit: q.limit ?? 50 });
  }

  async read(userId: string, convId: string, seq: number, connectionId: string): Promise<void> {
    const conv = await this.conversationFor(userId, convId);
    if (!(await this.storage.isMember(convId, userId))) return; // nothing sent yet: nothing to read
    const before = await this.storage.getConversation(userId, convId);
    const readSeq = await this.storage.raiseReadSeq(convId, userId, seq);
    if (!before || readSeq <= before.readSeq) return;
    const event = { convId, userId, seq: readSeq };
    if (conv.kind === 'private') this.hub.send(conv.members.filter((m) => m !== userId), 'read', event);
    this.hub.send([userId], 'read', event, connectionId);
  }

  async typing(userId: string, convId: string): Promise<void> {
    const conv = await this.conversationFor(userId, convId);
    this.hub.send(conv.members.filter((m) => m !== userId), 'typing', { convId, userId });
  }

  async updateConversation(userId: string, convId: string, settings: { muted?: boolean; pinned?: boolean }): Promise<void> {
    await this.conversationFor(userId, convId);
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
    const conv: Conversation = {
      convId: row.convId,
      kind: row.kind,
      title: row.peerId ? (names.get(row.peerId) ?? row.peerId) : row.convId,
      lastSeq: row.lastSeq,
      readSeq: row.readSeq,
      muted: row.muted,
      pinned: row.pinned,
      updatedAt: row.updatedAt,
      lastMessage: row.lastMessage,
    };
    if (row.kind === 'private') conv.peerReadSeq = row.peerReadSeq ?? 0;
    return conv;
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

  async users(userIds: readonly string[]): Promise<UserInfo[]> {
    const records = await this.storage.getUsers(userIds);
    return records.map((u) => {
      const info: UserInfo = { userId: u.userId, name: u.name, online: this.hub.isOnline(u.userId), lastSeen: u.lastSeen };
      if (u.avatar) info.avatar = u.avatar;
      return info;
    });
  }
}
