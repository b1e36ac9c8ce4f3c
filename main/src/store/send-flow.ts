/**
 * The life of a message the user composes: stored with its outbox row before anything else happens, claimed and
 * sent by the sync engine, then acknowledged (markSent), refused (markFailed → retry or delete), or merged with its
 * own log entry if that arrives first (apply-entries.ts).
 */
import type { LogEntry } from '../../../protocol/index.js';
import { applyEntries } from './apply-entries.js';
import { IdAllocator } from './id-allocator.js';
import { CONTROL_KINDS, decodeBody, searchableText, storedBody, targetSeqOf, toStoredMessage, type MessageRow } from './message-codec.js';
import { settleConversation, type StoreContext } from './store-context.js';
import type { MessageFailure, PendingMessageInput, SendAck, StoredMessage } from './types.js';

export class DuplicateClientMsgIdError extends Error {
  constructor(readonly clientMsgId: string) {
    super(`a message with clientMsgId ${clientMsgId} is already stored`);
    this.name = 'DuplicateClientMsgIdError';
  }
}

/** Stores a composed message (status pending) and queues it, in one transaction. */
export function insertPending(ctx: StoreContext, input: PendingMessageInput): StoredMessage {
  return ctx.db.transaction((): StoredMessage => {
    const createdAt = input.createdAt ?? ctx.now();
    ctx.conversations.ensure(input.convId);
    const row: MessageRow = {
      id: new IdAllocator((a, b) => ctx.messages.maxIdIn(a, b)).allocate(createdAt),
      conv_id: input.convId,
      seq: null,
      msg_id: null,
      client_msg_id: input.clientMsgId,
      sender: input.from,
      ts: createdAt,
      kind: input.kind,
      body: storedBody(input.kind, input.body),
      text: searchableText(input.kind, input.body),
      mentions: input.mentions && input.mentions.length > 0 ? JSON.stringify(input.mentions) : null,
      reply_to: input.replyTo ?? null,
      target_seq: targetSeqOf(input.kind, input.body),
      recalled: 0,
      edited: 0,
      status: 'pending',
      failure_code: null,
      failure_reason: null,
      created_at: createdAt,
    };
    if (ctx.messages.insertMany([row]) === 0) throw new DuplicateClientMsgIdError(input.clientMsgId);
    ctx.outbox.insert({ ...input, createdAt });
    // An edit or recall of an old message does not bring the conversation to the top of the list.
    if (row.target_seq === null) ctx.conversations.touch(input.convId, createdAt);
    ctx.conversations.refreshSummary(input.convId);
    return toStoredMessage(row);
  })();
}

/**
 * The server acknowledged: the message is a log entry now, and is stored as every entry is (applyEntries), so an
 * edit or recall of it that arrived first takes effect, and the conversation counts as held up to its seq only
 * once it is stored. Returns the visible message it concerns (the message itself, or the target of an edit or
 * recall), or null when there is nothing left to show (the message was deleted meanwhile).
 */
export function markSent(ctx: StoreContext, clientMsgId: string, ack: SendAck): StoredMessage | null {
  return ctx.db.transaction((): StoredMessage | null => {
    const row = ctx.messages.unsentByClientMsgId(clientMsgId);
    ctx.outbox.remove(clientMsgId);
    if (!row) return null;
    const convId = row.conv_id;
    applyEntries(ctx, convId, [acknowledgedEntry(row, ack)]);
    if (ctx.messages.byId(row.id)?.seq === null) {
      // The seq was already held by an entry without our clientMsgId: the log's copy stays, the local one goes.
      ctx.messages.deleteById(row.id);
      settleConversation(ctx, convId);
    }
    const shown = ctx.messages.byConvSeq(convId, row.target_seq ?? ack.seq);
    return shown ? shownFor(ctx, shown) : null;
  })();
}

/** The log entry the server stored for a local message, from what was sent and the acknowledgement. */
function acknowledgedEntry(row: MessageRow, ack: SendAck): LogEntry {
  const entry = {
    convId: row.conv_id,
    seq: ack.seq,
    msgId: ack.msgId,
    clientMsgId: row.client_msg_id as string,
    from: row.sender,
    ts: ack.ts,
    kind: row.kind,
    body: decodeBody(row),
  } as LogEntry;
  if (row.mentions !== null) entry.mentions = JSON.parse(row.mentions) as string[];
  if (row.reply_to !== null) entry.replyTo = row.reply_to;
  return entry;
}

/** The server refused the message for good (anything but RATE_LIMITED / INTERNAL): it waits for retry or delete. */
export function markFailed(ctx: StoreContext, clientMsgId: string, failure: MessageFailure): StoredMessage | null {
  return ctx.db.transaction((): StoredMessage | null => {
    const row = ctx.messages.unsentByClientMsgId(clientMsgId);
    if (row && row.target_seq !== null && ctx.messages.byConvSeq(row.conv_id, row.target_seq)?.recalled) {
      // An edit or recall of a message that was recalled meanwhile has nothing left to do: it goes.
      deleteUnsent(ctx, clientMsgId);
      return shownFor(ctx, row);
    }
    ctx.outbox.setFailed(clientMsgId, failure);
    ctx.messages.setUnsentStatus(clientMsgId, 'failed', failure);
    return unsentMessage(ctx, clientMsgId);
  })();
}

/** A failed message is queued again. */
export function retry(ctx: StoreContext, clientMsgId: string): StoredMessage | null {
  return ctx.db.transaction((): StoredMessage | null => {
    if (!ctx.outbox.setRetry(clientMsgId)) return null;
    ctx.messages.setUnsentStatus(clientMsgId, 'pending', null);
    return unsentMessage(ctx, clientMsgId);
  })();
}

/** Drops an unsent message: its outbox row and its local message. A message already sent is not touched. */
export function deleteUnsent(ctx: StoreContext, clientMsgId: string): boolean {
  return ctx.db.transaction((): boolean => {
    const row = ctx.messages.unsentByClientMsgId(clientMsgId);
    const removed = ctx.outbox.remove(clientMsgId);
    if (!row) return removed;
    ctx.messages.deleteUnsent(clientMsgId);
    ctx.conversations.refreshSummary(row.conv_id);
    return true;
  })();
}

/** The attachment is uploaded: the body to send (and the local message) now names the server's file. */
export function setUploadedFile(ctx: StoreContext, clientMsgId: string, fileId: string): StoredMessage | null {
  return ctx.db.transaction((): StoredMessage | null => {
    const item = ctx.outbox.get(clientMsgId);
    if (!item) return null;
    const body = { ...item.body, fileId };
    const attachment = item.attachment ? { ...item.attachment, uploadedFileId: fileId } : undefined;
    ctx.outbox.setContent(clientMsgId, body, attachment);
    ctx.messages.setUnsentContent(clientMsgId, storedBody(item.kind, body), searchableText(item.kind, body));
    return unsentMessage(ctx, clientMsgId);
  })();
}

/** The message a change of an unsent row shows on: the row itself, or the target of an edit or recall. */
function unsentMessage(ctx: StoreContext, clientMsgId: string): StoredMessage | null {
  const row = ctx.messages.unsentByClientMsgId(clientMsgId);
  return row ? shownFor(ctx, row) : null;
}

function shownFor(ctx: StoreContext, row: MessageRow): StoredMessage | null {
  if (row.target_seq === null) return toStoredMessage(row);
  const target = ctx.messages.byConvSeq(row.conv_id, row.target_seq);
  return target && !CONTROL_KINDS.has(target.kind) ? toStoredMessage(target) : null;
}
