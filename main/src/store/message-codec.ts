/** Converts between log entries, message rows and the store's public shapes. */
import type { EntryKind, LogEntry } from '../../../protocol/index.js';
import type { MessageStatus, MessageSummary, StoredMessage } from './types.js';

export interface MessageRow {
  id: number;
  conv_id: string;
  seq: number | null;
  msg_id: string | null;
  client_msg_id: string | null;
  sender: string;
  ts: number;
  kind: string;
  body: string;
  text: string | null;
  mentions: string | null;
  reply_to: number | null;
  target_seq: number | null;
  recalled: number;
  edited: number;
  status: MessageStatus;
  failure_code: string | null;
  failure_reason: string | null;
  created_at: number;
}

/** Entries that act on another entry; stored (they hold a seq) but not shown as messages. */
export const CONTROL_KINDS: ReadonlySet<string> = new Set(['recall', 'edit']);
export const CONTROL_KINDS_SQL = `('recall', 'edit')`;

const PREVIEW_CHARS = 100;

/** What search indexes for a body: the text, a file's name, a location's label. */
export function searchableText(kind: string, body: Record<string, unknown>): string | null {
  const field = kind === 'text' ? body.text : kind === 'image' || kind === 'file' ? body.name : kind === 'location' ? body.label : null;
  return typeof field === 'string' && field !== '' ? field : null;
}

/** The body as stored: a text body's `text` lives in the text column only, not twice. */
export function storedBody(kind: string, body: Record<string, unknown>): string {
  if (kind === 'text' && typeof body.text === 'string') {
    const { text: _text, ...rest } = body;
    return JSON.stringify(rest);
  }
  return JSON.stringify(body);
}

export function targetSeqOf(kind: string, body: Record<string, unknown>): number | null {
  return CONTROL_KINDS.has(kind) && Number.isSafeInteger(body.seq) ? (body.seq as number) : null;
}

export function decodeBody(row: Pick<MessageRow, 'kind' | 'body' | 'text' | 'recalled'>): Record<string, unknown> {
  if (row.recalled) return {};
  const body = JSON.parse(row.body) as Record<string, unknown>;
  if (row.kind === 'text' && row.text !== null) body.text = row.text;
  return body;
}

export function toStoredMessage(row: MessageRow): StoredMessage {
  const message: StoredMessage = {
    id: row.id,
    convId: row.conv_id,
    seq: row.seq,
    msgId: row.msg_id,
    clientMsgId: row.client_msg_id,
    from: row.sender,
    ts: row.ts,
    kind: row.kind as EntryKind,
    body: decodeBody(row),
    recalled: row.recalled === 1,
    edited: row.edited === 1,
    status: row.status,
    createdAt: row.created_at,
  };
  if (row.mentions !== null) message.mentions = JSON.parse(row.mentions) as string[];
  if (row.reply_to !== null) message.replyTo = row.reply_to;
  if (row.failure_code !== null) message.failure = { code: row.failure_code, reason: row.failure_reason ?? '' };
  return message;
}

/** The row for a log entry as the server sent it; `id` is allocated by the caller. */
export function entryToRow(entry: LogEntry, id: number, createdAt: number): MessageRow {
  const body = entry.body as Record<string, unknown>;
  const recalled = entry.recalled === true;
  return {
    id,
    conv_id: entry.convId,
    seq: entry.seq,
    msg_id: entry.msgId,
    // Server-written entries may carry no clientMsgId; '' must not collide in the unique index.
    client_msg_id: entry.clientMsgId === '' ? null : entry.clientMsgId,
    sender: entry.from,
    ts: entry.ts,
    kind: entry.kind,
    body: recalled ? '{}' : storedBody(entry.kind, body),
    text: recalled ? null : searchableText(entry.kind, body),
    mentions: entry.mentions && entry.mentions.length > 0 ? JSON.stringify(entry.mentions) : null,
    reply_to: entry.replyTo ?? null,
    target_seq: targetSeqOf(entry.kind, body),
    recalled: recalled ? 1 : 0,
    edited: 0,
    status: 'sent',
    failure_code: null,
    failure_reason: null,
    created_at: createdAt,
  };
}

function preview(text: string | null): string {
  const source = text ?? '';
  return [...source.slice(0, PREVIEW_CHARS * 2)].slice(0, PREVIEW_CHARS).join('');
}

function summary(
  fields: Pick<MessageSummary, 'seq' | 'from' | 'ts' | 'kind' | 'recalled' | 'status'>,
  text: string | null,
  body: () => Record<string, unknown>,
  mentions: string[] | undefined,
): MessageSummary {
  const result: MessageSummary = { ...fields, preview: fields.recalled ? '' : preview(text) };
  if (fields.recalled) return result;
  if (fields.kind === 'system') result.system = body();
  if (mentions && mentions.length > 0) result.mentions = mentions;
  return result;
}

export function summarizeRow(row: MessageRow): MessageSummary {
  return summary(
    { seq: row.seq, from: row.sender, ts: row.ts, kind: row.kind as EntryKind, recalled: row.recalled === 1, status: row.status },
    row.kind === 'system' ? null : row.text,
    () => decodeBody(row),
    row.mentions === null ? undefined : (JSON.parse(row.mentions) as string[]),
  );
}

/** The summary of an entry the server reported as a conversation's latest; null for recall and edit entries, which are not messages. */
export function summarizeEntry(entry: LogEntry): MessageSummary | null {
  if (CONTROL_KINDS.has(entry.kind)) return null;
  const body = entry.body as Record<string, unknown>;
  return summary(
    { seq: entry.seq, from: entry.from, ts: entry.ts, kind: entry.kind, recalled: entry.recalled === true, status: 'sent' },
    entry.kind === 'system' ? null : searchableText(entry.kind, body),
    () => ({ ...body }),
    entry.mentions,
  );
}
