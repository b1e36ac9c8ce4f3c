/** SQL over the conversations table, and the per-conversation figures derived from messages. */
import type Database from 'better-sqlite3';
import { parseConvId, type ConvKindName, type Conversation } from '../../../protocol/index.js';
import { CONTROL_KINDS_SQL, summarizeEntry, summarizeRow, type MessageRow } from './message-codec.js';
import type { ConversationPatch, MessageSummary, StoredConversation } from './types.js';

interface ConversationRow {
  conv_id: string;
  kind: ConvKindName;
  title: string;
  last_seq: number;
  read_seq: number;
  peer_read_seq: number;
  held_seq: number;
  muted: number;
  pinned: number;
  updated_at: number;
  last_message: string | null;
  draft: string;
  mention_seq: number;
  left_group: number;
  unread: number;
}

/**
 * Unread = entries above readSeq, less the user's own, recall/edit entries and system notices among those held
 * (a notice such as "Alice created the group" is shown, not announced as something to read). Counting them
 * reads the unread rows, so past this many the plain difference is shown (the UI shows "99+" long before).
 */
const EXACT_UNREAD_LIMIT = 500;

const NOT_UNREAD_KINDS_SQL = `('recall', 'edit', 'system')`;

const UNREAD_SQL = `
  CASE WHEN c.last_seq <= c.read_seq THEN 0
       WHEN c.last_seq - c.read_seq > ${EXACT_UNREAD_LIMIT} THEN c.last_seq - c.read_seq
       ELSE max(0, c.last_seq - c.read_seq - (
         SELECT count(*) FROM messages m
         WHERE m.conv_id = c.conv_id AND m.seq > c.read_seq
           AND (m.sender = @self OR m.kind IN ${NOT_UNREAD_KINDS_SQL})))
  END AS unread`;

/** The conversation kind named by a canonical id's prefix. */
export function kindOfConvId(convId: string): ConvKindName {
  const parsed = parseConvId(convId);
  if (parsed) return parsed.kind;
  return convId.startsWith('r:') ? 'room' : convId.startsWith('p:') ? 'private' : 'group';
}

function toConversation(row: ConversationRow): StoredConversation {
  return {
    convId: row.conv_id,
    kind: row.kind,
    title: row.title,
    lastSeq: row.last_seq,
    readSeq: row.read_seq,
    peerReadSeq: row.peer_read_seq,
    heldSeq: row.held_seq,
    muted: row.muted === 1,
    pinned: row.pinned === 1,
    updatedAt: row.updated_at,
    lastMessage: row.last_message === null ? null : (JSON.parse(row.last_message) as MessageSummary),
    draft: row.draft,
    unreadCount: row.unread,
    unreadMention: row.mention_seq > row.read_seq,
    left: row.left_group === 1,
  };
}

const bool = (value: boolean | undefined) => (value === undefined ? null : value ? 1 : 0);

export class ConversationsRepo {
  private readonly insertIfMissing: Database.Statement<[string, string]>;
  private readonly selectOne: Database.Statement<[{ self: string | null; convId: string }]>;
  private readonly selectAll: Database.Statement<[{ self: string | null }]>;
  private readonly upsert: Database.Statement<unknown[]>;
  private readonly updateRead: Database.Statement<[number, string, number]>;
  private readonly updatePeerRead: Database.Statement<[number, string, number]>;
  private readonly updateDraft: Database.Statement<[string, string]>;
  private readonly updatePatch: Database.Statement<[string | null, number | null, number | null, string]>;
  private readonly updateAfterEntries: Database.Statement<[number, number, number, string]>;
  private readonly updateTouched: Database.Statement<[number, string]>;
  private readonly selectHeld: Database.Statement<[string]>;
  private readonly updateHeld: Database.Statement<[number, string]>;
  private readonly selectSummary: Database.Statement<[string]>;
  private readonly updateSummary: Database.Statement<[string | null, string]>;
  private readonly selectLatestUnsent: Database.Statement<[string]>;
  private readonly selectLatestSent: Database.Statement<[string]>;
  private readonly deleteOne: Database.Statement<[string]>;
  private readonly updateLeft: Database.Statement<[number, string, number]>;
  private readonly raiseHeldStmt: Database.Statement<[number, string]>;
  private readonly selectIds: Database.Statement<[string]>;
  private readonly selectUnsentReads: Database.Statement<[]>;
  private readonly updateReadSent: Database.Statement<[number, string, number]>;

  /** `selfId`: the local user, whose own messages are never unread and whose mentions are tracked. */
  constructor(
    db: Database.Database,
    private readonly selfId: string | null,
  ) {
    this.insertIfMissing = db.prepare('INSERT OR IGNORE INTO conversations (conv_id, kind) VALUES (?, ?)');
    this.selectOne = db.prepare(`SELECT c.*, ${UNREAD_SQL} FROM conversations c WHERE c.conv_id = @convId`);
    this.selectAll = db.prepare(
      `SELECT c.*, ${UNREAD_SQL} FROM conversations c ORDER BY c.pinned DESC, c.updated_at DESC, c.conv_id`,
    );
    this.upsert = db.prepare(
      `INSERT INTO conversations (conv_id, kind, title, last_seq, read_seq, peer_read_seq, muted, pinned, updated_at, read_sent_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (conv_id) DO UPDATE SET
         kind = excluded.kind, title = excluded.title,
         last_seq = max(last_seq, excluded.last_seq), read_seq = max(read_seq, excluded.read_seq),
         peer_read_seq = max(peer_read_seq, excluded.peer_read_seq),
         read_sent_seq = max(read_sent_seq, excluded.read_sent_seq),
         muted = excluded.muted, pinned = excluded.pinned, updated_at = max(updated_at, excluded.updated_at)`,
    );
    this.updateRead = db.prepare('UPDATE conversations SET read_seq = ? WHERE conv_id = ? AND read_seq < ?');
    this.updatePeerRead = db.prepare(
      'UPDATE conversations SET peer_read_seq = ? WHERE conv_id = ? AND peer_read_seq < ?',
    );
    this.updateDraft = db.prepare('UPDATE conversations SET draft = ? WHERE conv_id = ?');
    this.updatePatch = db.prepare(
      `UPDATE conversations SET title = coalesce(?, title), muted = coalesce(?, muted), pinned = coalesce(?, pinned)
       WHERE conv_id = ?`,
    );
    this.updateAfterEntries = db.prepare(
      `UPDATE conversations SET last_seq = max(last_seq, ?), updated_at = max(updated_at, ?),
         mention_seq = max(mention_seq, ?) WHERE conv_id = ?`,
    );
    this.updateTouched = db.prepare('UPDATE conversations SET updated_at = max(updated_at, ?) WHERE conv_id = ?');
    this.selectHeld = db.prepare('SELECT held_seq FROM conversations WHERE conv_id = ?').pluck();
    this.updateHeld = db.prepare('UPDATE conversations SET held_seq = ? WHERE conv_id = ?');
    this.selectSummary = db.prepare('SELECT last_message FROM conversations WHERE conv_id = ?').pluck();
    this.updateSummary = db.prepare('UPDATE conversations SET last_message = ? WHERE conv_id = ?');
    this.selectLatestUnsent = db.prepare(
      `SELECT * FROM messages WHERE conv_id = ? AND seq IS NULL AND kind NOT IN ${CONTROL_KINDS_SQL}
       ORDER BY created_at DESC, id DESC LIMIT 1`,
    );
    this.selectLatestSent = db.prepare(
      `SELECT * FROM messages WHERE conv_id = ? AND seq IS NOT NULL AND kind NOT IN ${CONTROL_KINDS_SQL}
       ORDER BY seq DESC LIMIT 1`,
    );
    this.deleteOne = db.prepare('DELETE FROM conversations WHERE conv_id = ?');
    this.updateLeft = db.prepare('UPDATE conversations SET left_group = ? WHERE conv_id = ? AND left_group != ?');
    this.raiseHeldStmt = db.prepare('UPDATE conversations SET held_seq = max(held_seq, ?) WHERE conv_id = ?');
    this.selectIds = db.prepare('SELECT conv_id FROM conversations WHERE kind = ? ORDER BY conv_id').pluck();
    // Chatrooms keep no read state on the server; a group the user is no longer in takes no reads.
    this.selectUnsentReads = db.prepare(
      `SELECT conv_id AS convId, read_seq AS seq FROM conversations
       WHERE read_seq > read_sent_seq AND kind <> 'room' AND left_group = 0 ORDER BY conv_id`,
    );
    this.updateReadSent = db.prepare('UPDATE conversations SET read_sent_seq = ? WHERE conv_id = ? AND read_sent_seq < ?');
  }

  /** Marks a group the user is no longer in (or is in again); true when it changed. */
  setLeft(convId: string, left: boolean): boolean {
    const value = left ? 1 : 0;
    return this.updateLeft.run(value, convId, value).changes > 0;
  }

  /** Treats everything up to `seq` as held (a chatroom's history starts where the user joined it). */
  raiseHeld(convId: string, seq: number): void {
    this.raiseHeldStmt.run(seq, convId);
  }

  idsOfKind(kind: ConvKindName): string[] {
    return this.selectIds.all(kind) as string[];
  }

  ensure(convId: string): void {
    this.insertIfMissing.run(convId, kindOfConvId(convId));
  }

  get(convId: string): StoredConversation | null {
    const row = this.selectOne.get({ self: this.selfId, convId }) as ConversationRow | undefined;
    return row ? toConversation(row) : null;
  }

  /** Pinned first, then the most recently active. */
  list(): StoredConversation[] {
    return (this.selectAll.all({ self: this.selfId }) as ConversationRow[]).map(toConversation);
  }

  /** Stores the server's view (sync, `conv` events); local-only fields (draft, heldSeq) are kept. */
  upsertFromServer(conversation: Conversation): void {
    this.upsert.run(
      conversation.convId,
      conversation.kind,
      conversation.title,
      conversation.lastSeq,
      conversation.readSeq,
      conversation.peerReadSeq ?? 0,
      conversation.muted ? 1 : 0,
      conversation.pinned ? 1 : 0,
      conversation.updatedAt,
      // The server's read position is, by definition, one the server has.
      conversation.readSeq,
    );
    this.refreshSummary(conversation.convId, conversation.lastMessage ? summarizeEntry(conversation.lastMessage) : null);
  }

  /** readSeq only grows, as on the server. */
  setRead(convId: string, seq: number): boolean {
    return this.updateRead.run(seq, convId, seq).changes > 0;
  }

  /** Read positions the server does not have yet (made offline, or whose request failed), oldest id first. */
  unsentReads(): Array<{ convId: string; seq: number }> {
    return this.selectUnsentReads.all() as Array<{ convId: string; seq: number }>;
  }

  /** The server has the read position up to `seq` (it answered, or told us). */
  markReadSent(convId: string, seq: number): void {
    this.updateReadSent.run(seq, convId, seq);
  }

  setPeerRead(convId: string, seq: number): boolean {
    return this.updatePeerRead.run(seq, convId, seq).changes > 0;
  }

  setDraft(convId: string, draft: string): boolean {
    return this.updateDraft.run(draft, convId).changes > 0;
  }

  update(convId: string, patch: ConversationPatch): boolean {
    return this.updatePatch.run(patch.title ?? null, bool(patch.muted), bool(patch.pinned), convId).changes > 0;
  }

  noteEntries(convId: string, maxSeq: number, latestTs: number, mentionSeq: number): void {
    this.updateAfterEntries.run(maxSeq, latestTs, mentionSeq, convId);
  }

  touch(convId: string, ts: number): void {
    this.updateTouched.run(ts, convId);
  }

  recomputeHeldSeq(convId: string, heldSeqFrom: (convId: string, held: number) => number): number {
    const held = (this.selectHeld.get(convId) as number | undefined) ?? 0;
    const next = heldSeqFrom(convId, held);
    if (next !== held) this.updateHeld.run(next, convId);
    return next;
  }

  /**
   * The latest message for the list: a pending one first (it is the newest the user sees), else the newest held
   * entry, unless the server reported a newer one that is not held yet.
   */
  refreshSummary(convId: string, fromServer: MessageSummary | null = null): void {
    const unsent = this.selectLatestUnsent.get(convId) as MessageRow | undefined;
    let summary: MessageSummary | null;
    if (unsent) {
      summary = summarizeRow(unsent);
    } else {
      const stored = this.selectSummary.get(convId) as string | null | undefined;
      const known = fromServer ?? (stored ? (JSON.parse(stored) as MessageSummary) : null);
      const latest = this.selectLatestSent.get(convId) as MessageRow | undefined;
      if (latest && (known === null || known.seq === null || (latest.seq as number) >= known.seq)) {
        summary = summarizeRow(latest);
      } else {
        summary = known && known.seq !== null ? known : null;
      }
    }
    this.updateSummary.run(summary ? JSON.stringify(summary) : null, convId);
  }

  delete(convId: string): boolean {
    return this.deleteOne.run(convId).changes > 0;
  }
}
