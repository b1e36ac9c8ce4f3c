/** SQL over the messages table. Callers hold the transaction; this module only reads and writes rows. */
import type Database from 'better-sqlite3';
import { CONTROL_KINDS_SQL, type MessageRow } from './message-codec.js';
import type { MessageFailure, SendAck } from './types.js';

const COLUMNS = [
  'id', 'conv_id', 'seq', 'msg_id', 'client_msg_id', 'sender', 'ts', 'kind', 'body', 'text', 'mentions',
  'reply_to', 'target_seq', 'recalled', 'edited', 'status', 'failure_code', 'failure_reason', 'created_at',
] as const satisfies ReadonlyArray<keyof MessageRow>;

/** Above any seq or id, for open-ended ranges. */
const TOP = Number.MAX_SAFE_INTEGER;

export class MessagesRepo {
  private readonly stageRow: Database.Statement<unknown[]>;
  private readonly insertStaged: Database.Statement<[]>;
  private readonly clearStaged: Database.Statement<[]>;
  private readonly maxId: Database.Statement<[number, number]>;
  private readonly selectById: Database.Statement<[number]>;
  private readonly selectByConvSeq: Database.Statement<[string, number]>;
  private readonly selectSeqRange: Database.Statement<[string, number, number]>;
  private readonly selectUnsent: Database.Statement<[string]>;
  private readonly selectUnsentByClientMsgId: Database.Statement<[string]>;
  private readonly selectUnsentChanges: Database.Statement<[string]>;
  private readonly selectControls: Database.Statement<[string, number, number]>;
  private readonly selectPage: Database.Statement<[string, number, number]>;
  private readonly selectNextHeld: Database.Statement<[{ convId: string; held: number }]>;
  private readonly updateRecalled: Database.Statement<[number]>;
  private readonly updateEditedText: Database.Statement<[string, number]>;
  private readonly updateContent: Database.Statement<[string, string | null, number]>;
  private readonly updateMerged: Database.Statement<unknown[]>;
  private readonly updateAcked: Database.Statement<[number, string, number, number]>;
  private readonly updateFailure: Database.Statement<[string, string | null, string | null, string]>;
  private readonly updateBodyByClientMsgId: Database.Statement<[string, string | null, string]>;
  private readonly deleteRow: Database.Statement<[number]>;
  private readonly deleteUnsentByClientMsgId: Database.Statement<[string]>;
  private readonly deleteConv: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    // Rows are staged in a connection-local temp table, then moved with one INSERT … SELECT: FTS5 flushes its
    // pending index data at every statement savepoint, and the index trigger gives each INSERT into messages
    // one, so a statement per row is several times slower. OR IGNORE: the caller checks the count and repairs
    // the rare conflict (see apply-entries.ts).
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS staged_messages AS SELECT ${COLUMNS.join(', ')} FROM main.messages WHERE 0`);
    this.stageRow = db.prepare(
      `INSERT INTO temp.staged_messages (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
    );
    this.insertStaged = db.prepare(
      `INSERT OR IGNORE INTO main.messages (${COLUMNS.join(', ')}) SELECT ${COLUMNS.join(', ')} FROM temp.staged_messages`,
    );
    this.clearStaged = db.prepare('DELETE FROM temp.staged_messages');
    this.maxId = db.prepare('SELECT max(id) FROM messages WHERE id >= ? AND id < ?').pluck();
    this.selectById = db.prepare('SELECT * FROM messages WHERE id = ?');
    this.selectByConvSeq = db.prepare('SELECT * FROM messages WHERE conv_id = ? AND seq = ?');
    this.selectSeqRange = db.prepare('SELECT * FROM messages WHERE conv_id = ? AND seq BETWEEN ? AND ?');
    this.selectUnsent = db.prepare('SELECT * FROM messages WHERE conv_id = ? AND seq IS NULL ORDER BY created_at, id');
    this.selectUnsentByClientMsgId = db.prepare(
      `SELECT * FROM messages WHERE client_msg_id = ? AND seq IS NULL AND status IN ('pending', 'failed')`,
    );
    this.selectUnsentChanges = db.prepare(
      'SELECT * FROM messages WHERE conv_id = ? AND seq IS NULL AND target_seq IS NOT NULL ORDER BY created_at, id',
    );
    this.selectControls = db.prepare(
      'SELECT * FROM messages WHERE conv_id = ? AND target_seq BETWEEN ? AND ? AND seq IS NOT NULL ORDER BY seq',
    );
    this.selectPage = db.prepare(
      `SELECT * FROM messages WHERE conv_id = ? AND seq < ? AND kind NOT IN ${CONTROL_KINDS_SQL}
       ORDER BY seq DESC LIMIT ?`,
    );
    // The end of the contiguous run that starts at held + 1 (the caller checks that held + 1 exists).
    this.selectNextHeld = db
      .prepare(
        `SELECT m.seq FROM messages m WHERE m.conv_id = @convId AND m.seq > @held
           AND NOT EXISTS (SELECT 1 FROM messages n WHERE n.conv_id = @convId AND n.seq = m.seq + 1)
         ORDER BY m.seq LIMIT 1`,
      )
      .pluck();
    this.updateRecalled = db.prepare(`UPDATE messages SET recalled = 1, body = '{}', text = NULL WHERE id = ?`);
    this.updateEditedText = db.prepare('UPDATE messages SET text = ?, edited = 1 WHERE id = ?');
    this.updateContent = db.prepare('UPDATE messages SET body = ?, text = ? WHERE id = ?');
    this.updateMerged = db.prepare(
      `UPDATE messages SET seq = ?, msg_id = ?, ts = ?, body = ?, text = ?, mentions = ?, reply_to = ?,
         target_seq = ?, recalled = ?, status = 'sent', failure_code = NULL, failure_reason = NULL
       WHERE id = ?`,
    );
    this.updateAcked = db.prepare(
      `UPDATE messages SET seq = ?, msg_id = ?, ts = ?, status = 'sent', failure_code = NULL, failure_reason = NULL
       WHERE id = ?`,
    );
    this.updateFailure = db.prepare(
      `UPDATE messages SET status = ?, failure_code = ?, failure_reason = ?
       WHERE client_msg_id = ? AND seq IS NULL`,
    );
    this.updateBodyByClientMsgId = db.prepare(
      'UPDATE messages SET body = ?, text = ? WHERE client_msg_id = ? AND seq IS NULL',
    );
    this.deleteRow = db.prepare('DELETE FROM messages WHERE id = ?');
    this.deleteUnsentByClientMsgId = db.prepare('DELETE FROM messages WHERE client_msg_id = ? AND seq IS NULL');
    this.deleteConv = db.prepare('DELETE FROM messages WHERE conv_id = ?');
  }

  /** Inserts rows with one statement; returns how many were new (conflicting ones are skipped). */
  insertMany(rows: readonly MessageRow[]): number {
    if (rows.length === 0) return 0;
    try {
      for (const row of rows) this.stageRow.run(COLUMNS.map((column) => row[column]));
      return this.insertStaged.run().changes;
    } finally {
      this.clearStaged.run();
    }
  }

  maxIdIn(lo: number, hi: number): number | null {
    return this.maxId.get(lo, hi) as number | null;
  }

  byId(id: number): MessageRow | undefined {
    return this.selectById.get(id) as MessageRow | undefined;
  }

  byConvSeq(convId: string, seq: number): MessageRow | undefined {
    return this.selectByConvSeq.get(convId, seq) as MessageRow | undefined;
  }

  bySeqRange(convId: string, lo: number, hi: number): MessageRow[] {
    return this.selectSeqRange.all(convId, lo, hi) as MessageRow[];
  }

  /** Pending and failed messages of a conversation, oldest first. */
  unsent(convId: string): MessageRow[] {
    return this.selectUnsent.all(convId) as MessageRow[];
  }

  unsentByClientMsgId(clientMsgId: string): MessageRow | undefined {
    return this.selectUnsentByClientMsgId.get(clientMsgId) as MessageRow | undefined;
  }

  /** The user's edits and recalls of a conversation not acknowledged yet (pending or failed), oldest first. */
  unsentChanges(convId: string): MessageRow[] {
    return this.selectUnsentChanges.all(convId) as MessageRow[];
  }

  /** Stored recall and edit entries acting on seqs in [lo, hi], in log order. */
  controlsTargeting(convId: string, lo: number, hi: number): MessageRow[] {
    return this.selectControls.all(convId, lo, hi) as MessageRow[];
  }

  /** Visible acknowledged messages below `beforeSeq`, newest first. */
  page(convId: string, beforeSeq: number | undefined, limit: number): MessageRow[] {
    return this.selectPage.all(convId, beforeSeq ?? TOP, limit) as MessageRow[];
  }

  /** The highest seq held contiguously from 1, given that everything up to `held` is. */
  heldSeqFrom(convId: string, held: number): number {
    if (!this.byConvSeq(convId, held + 1)) return held;
    return this.selectNextHeld.get({ convId, held }) as number;
  }

  markRecalled(id: number): void {
    this.updateRecalled.run(id);
  }

  setEditedText(id: number, text: string): void {
    this.updateEditedText.run(text, id);
  }

  setContent(id: number, body: string, text: string | null): void {
    this.updateContent.run(body, text, id);
  }

  /** A pending message becomes the log entry the server sent for it; the server's content wins. */
  mergeEntry(id: number, row: MessageRow): void {
    this.updateMerged.run(
      row.seq, row.msg_id, row.ts, row.body, row.text, row.mentions, row.reply_to, row.target_seq, row.recalled, id,
    );
  }

  markAcked(id: number, ack: SendAck): void {
    this.updateAcked.run(ack.seq, ack.msgId, ack.ts, id);
  }

  setUnsentStatus(clientMsgId: string, status: 'pending' | 'failed', failure: MessageFailure | null): void {
    this.updateFailure.run(status, failure?.code ?? null, failure?.reason ?? null, clientMsgId);
  }

  setUnsentContent(clientMsgId: string, body: string, text: string | null): void {
    this.updateBodyByClientMsgId.run(body, text, clientMsgId);
  }

  deleteById(id: number): void {
    this.deleteRow.run(id);
  }

  deleteUnsent(clientMsgId: string): number {
    return this.deleteUnsentByClientMsgId.run(clientMsgId).changes;
  }

  deleteConversation(convId: string): number {
    return this.deleteConv.run(convId).changes;
  }
}
