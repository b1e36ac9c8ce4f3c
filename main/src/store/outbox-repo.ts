/**
 * SQL over the outbox: the ordered, persisted queue of messages to send. Within a conversation messages go out in
 * the order they were composed, one in flight at a time; a failed message (refused by the server) does not hold
 * back the ones after it, and waits for retry or delete.
 */
import type Database from 'better-sqlite3';
import type { EntryKind } from '../../../protocol/index.js';
import type { MessageFailure, OutboxAttachment, OutboxItem, OutboxState } from './types.js';

interface OutboxRow {
  position: number;
  client_msg_id: string;
  conv_id: string;
  kind: string;
  body: string;
  mentions: string | null;
  reply_to: number | null;
  attachment: string | null;
  state: OutboxState;
  attempts: number;
  last_error_code: string | null;
  last_error_reason: string | null;
  created_at: number;
}

function toItem(row: OutboxRow): OutboxItem {
  const item: OutboxItem = {
    clientMsgId: row.client_msg_id,
    convId: row.conv_id,
    kind: row.kind as EntryKind,
    body: JSON.parse(row.body) as Record<string, unknown>,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error_code === null ? null : { code: row.last_error_code, reason: row.last_error_reason ?? '' },
    createdAt: row.created_at,
  };
  if (row.mentions !== null) item.mentions = JSON.parse(row.mentions) as string[];
  if (row.reply_to !== null) item.replyTo = row.reply_to;
  if (row.attachment !== null) item.attachment = JSON.parse(row.attachment) as OutboxAttachment;
  return item;
}

export type NewOutboxItem = Pick<OutboxItem, 'clientMsgId' | 'convId' | 'kind' | 'body' | 'mentions' | 'replyTo' | 'attachment' | 'createdAt'>;

export class OutboxRepo {
  private readonly insertRow: Database.Statement<unknown[]>;
  private readonly selectOne: Database.Statement<[string]>;
  private readonly selectAll: Database.Statement<[]>;
  private readonly selectSendable: Database.Statement<[]>;
  private readonly updateSending: Database.Statement<[string]>;
  private readonly updateState: Database.Statement<[OutboxState, string | null, string | null, string]>;
  private readonly updateRetry: Database.Statement<[string]>;
  private readonly updateBody: Database.Statement<[string, string | null, string]>;
  private readonly updateInFlight: Database.Statement<[]>;
  private readonly deleteOne: Database.Statement<[string]>;
  private readonly deleteConv: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.insertRow = db.prepare(
      `INSERT INTO outbox (client_msg_id, conv_id, kind, body, mentions, reply_to, attachment, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectOne = db.prepare('SELECT * FROM outbox WHERE client_msg_id = ?');
    this.selectAll = db.prepare('SELECT * FROM outbox ORDER BY position');
    this.selectSendable = db.prepare(
      `SELECT o.* FROM outbox o
       WHERE o.state = 'queued' AND NOT EXISTS (
         SELECT 1 FROM outbox p WHERE p.conv_id = o.conv_id AND p.position < o.position AND p.state <> 'failed')
       ORDER BY o.position`,
    );
    this.updateSending = db.prepare(
      `UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE client_msg_id = ? AND state = 'queued'
       RETURNING attempts`,
    );
    this.updateState = db.prepare(
      'UPDATE outbox SET state = ?, last_error_code = ?, last_error_reason = ? WHERE client_msg_id = ?',
    );
    this.updateRetry = db.prepare(
      `UPDATE outbox SET state = 'queued', last_error_code = NULL, last_error_reason = NULL
       WHERE client_msg_id = ? AND state = 'failed'`,
    );
    this.updateBody = db.prepare('UPDATE outbox SET body = ?, attachment = ? WHERE client_msg_id = ?');
    this.updateInFlight = db.prepare(`UPDATE outbox SET state = 'queued' WHERE state = 'sending'`);
    this.deleteOne = db.prepare('DELETE FROM outbox WHERE client_msg_id = ?');
    this.deleteConv = db.prepare('DELETE FROM outbox WHERE conv_id = ?');
  }

  insert(item: NewOutboxItem): void {
    this.insertRow.run(
      item.clientMsgId,
      item.convId,
      item.kind,
      JSON.stringify(item.body),
      item.mentions && item.mentions.length > 0 ? JSON.stringify(item.mentions) : null,
      item.replyTo ?? null,
      item.attachment ? JSON.stringify(item.attachment) : null,
      item.createdAt,
    );
  }

  get(clientMsgId: string): OutboxItem | null {
    const row = this.selectOne.get(clientMsgId) as OutboxRow | undefined;
    return row ? toItem(row) : null;
  }

  /** Everything, in send order. */
  list(): OutboxItem[] {
    return (this.selectAll.all() as OutboxRow[]).map(toItem);
  }

  /** Per conversation, the first queued item, unless an earlier one of that conversation is queued or in flight. */
  nextSendable(): OutboxItem[] {
    return (this.selectSendable.all() as OutboxRow[]).map(toItem);
  }

  /** Claims an item for sending and counts the attempt; returns the attempt number, or null if not queued. */
  markSending(clientMsgId: string): number | null {
    return (this.updateSending.get(clientMsgId) as { attempts: number } | undefined)?.attempts ?? null;
  }

  /** A transient failure (no answer, RATE_LIMITED, INTERNAL): back in the queue, in its place. */
  requeue(clientMsgId: string, error: MessageFailure | null = null): boolean {
    return this.updateState.run('queued', error?.code ?? null, error?.reason ?? null, clientMsgId).changes > 0;
  }

  setFailed(clientMsgId: string, failure: MessageFailure): boolean {
    return this.updateState.run('failed', failure.code, failure.reason, clientMsgId).changes > 0;
  }

  /** A failed item goes back in the queue, keeping its place; attempts keep counting. */
  setRetry(clientMsgId: string): boolean {
    return this.updateRetry.run(clientMsgId).changes > 0;
  }

  setContent(clientMsgId: string, body: Record<string, unknown>, attachment: OutboxAttachment | undefined): void {
    this.updateBody.run(JSON.stringify(body), attachment ? JSON.stringify(attachment) : null, clientMsgId);
  }

  /** After a restart nothing is in flight: what was being sent is sent again (the server dedupes by clientMsgId). */
  recoverInFlight(): number {
    return this.updateInFlight.run().changes;
  }

  remove(clientMsgId: string): boolean {
    return this.deleteOne.run(clientMsgId).changes > 0;
  }

  removeConversation(convId: string): number {
    return this.deleteConv.run(convId).changes;
  }
}
