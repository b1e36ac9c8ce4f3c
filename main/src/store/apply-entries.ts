/**
 * Stores a batch of log entries of one conversation (live events, sync, history, gap fill) in one transaction.
 * Idempotent: an entry already held changes nothing unless the server's copy changed (recalled since, or its
 * content rewritten, e.g. masked by the sensitive-word filter). An entry whose (from, clientMsgId) matches a local
 * pending message becomes that message instead of a second copy.
 */
import type { LogEntry } from '../../../protocol/index.js';
import { resolveTarget } from './control-entries.js';
import { IdAllocator } from './id-allocator.js';
import { CONTROL_KINDS, entryToRow, toStoredMessage, type MessageRow } from './message-codec.js';
import { settleConversation, type StoreContext } from './store-context.js';
import type { ApplyResult, StoredConversation, StoredMessage } from './types.js';

const unsentKey = (sender: string, clientMsgId: string) => `${sender}\u0000${clientMsgId}`;

/** Brings a held row in line with the server's copy of its entry; true if it changed. */
function reconcile(ctx: StoreContext, held: MessageRow, fresh: MessageRow): boolean {
  if (held.recalled) return false;
  if (fresh.recalled) {
    ctx.messages.markRecalled(held.id);
    return true;
  }
  // An edited row holds the edit's text, not the entry's; control rows never change.
  if (held.edited || CONTROL_KINDS.has(held.kind)) return false;
  if (held.body === fresh.body && held.text === fresh.text) return false;
  ctx.messages.setContent(held.id, fresh.body, fresh.text);
  return true;
}

function mentionsSelf(ctx: StoreContext, row: MessageRow): boolean {
  if (ctx.selfId === null || row.mentions === null || row.sender === ctx.selfId) return false;
  const mentions = JSON.parse(row.mentions) as string[];
  return mentions.includes(ctx.selfId) || mentions.includes('@all');
}

export function applyEntries(ctx: StoreContext, convId: string, entries: readonly LogEntry[]): ApplyResult {
  for (const entry of entries) {
    if (entry.convId !== convId) throw new RangeError(`entry of ${entry.convId} applied to ${convId}`);
  }
  return ctx.db.transaction((): ApplyResult => {
    ctx.conversations.ensure(convId);
    if (entries.length === 0) return { added: [], updated: [], conversation: ctx.conversations.get(convId) as StoredConversation };

    const bySeq = new Map<number, LogEntry>();
    for (const entry of entries) if (!bySeq.has(entry.seq)) bySeq.set(entry.seq, entry);
    const sorted = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    const lo = (sorted[0] as LogEntry).seq;
    const hi = (sorted[sorted.length - 1] as LogEntry).seq;

    const held = new Map(ctx.messages.bySeqRange(convId, lo, hi).map((row) => [row.seq as number, row]));
    const unsent = new Map(
      ctx.messages.unsent(convId).filter((row) => row.client_msg_id !== null)
        .map((row) => [unsentKey(row.sender, row.client_msg_id as string), row]),
    );
    const allocator = new IdAllocator((a, b) => ctx.messages.maxIdIn(a, b));
    const now = ctx.now();
    const changed = new Set<number>();
    const targets = new Set<number>();
    const toInsert: MessageRow[] = [];
    let latestTs = 0;
    let mentionSeq = 0;

    /** Visible (non-control) entries that now hold their seq: inserted, or a pending message merged. */
    const landed: number[] = [];
    for (const entry of sorted) {
      latestTs = Math.max(latestTs, entry.ts);
      const heldRow = held.get(entry.seq);
      if (heldRow) {
        if (reconcile(ctx, heldRow, entryToRow(entry, heldRow.id, heldRow.created_at))) changed.add(heldRow.id);
        continue;
      }
      const pending = entry.clientMsgId ? unsent.get(unsentKey(entry.from, entry.clientMsgId)) : undefined;
      const row = entryToRow(entry, pending ? pending.id : allocator.allocate(entry.ts), pending ? pending.created_at : now);
      if (mentionsSelf(ctx, row)) mentionSeq = Math.max(mentionSeq, entry.seq);
      if (row.target_seq !== null) targets.add(row.target_seq);
      else landed.push(entry.seq);
      if (pending) {
        ctx.messages.mergeEntry(pending.id, row);
        ctx.outbox.remove(entry.clientMsgId);
        unsent.delete(unsentKey(entry.from, entry.clientMsgId));
        changed.add(pending.id);
      } else {
        toInsert.push(row);
      }
    }

    if (ctx.messages.insertMany(toInsert) < toInsert.length) insertConflicting(ctx, convId, toInsert);

    // Control entries just stored act on their targets; targets just stored (inserted, or a pending message that
    // became its entry) pick up control entries stored before them.
    for (const seq of targets) {
      const id = resolveTarget(ctx, convId, seq);
      if (id !== null) changed.add(id);
    }
    if (landed.length > 0) {
      const landedSeqs = new Set(landed);
      for (const control of ctx.messages.controlsTargeting(convId, landed[0] as number, landed[landed.length - 1] as number)) {
        const seq = control.target_seq as number;
        if (targets.has(seq) || !landedSeqs.has(seq)) continue;
        targets.add(seq);
        const id = resolveTarget(ctx, convId, seq);
        if (id !== null) changed.add(id);
      }
    }
    const fresh = toInsert.filter((row) => row.target_seq === null);

    ctx.conversations.noteEntries(convId, hi, latestTs, mentionSeq);
    settleConversation(ctx, convId);

    const added: StoredMessage[] = [];
    const addedIds = new Set<number>();
    for (const row of fresh) {
      addedIds.add(row.id);
      const current = changed.has(row.id) ? ctx.messages.byId(row.id) : row;
      if (current) added.push(toStoredMessage(current));
    }
    const updated: StoredMessage[] = [];
    for (const id of changed) {
      if (addedIds.has(id)) continue;
      const row = ctx.messages.byId(id);
      if (row && !CONTROL_KINDS.has(row.kind)) updated.push(toStoredMessage(row));
    }
    return { added, updated, conversation: ctx.conversations.get(convId) as StoredConversation };
  })();
}

/**
 * Some rows were skipped by the insert: their (clientMsgId, from) is already taken by another entry, which only a
 * misbehaving sender can cause. The log must stay whole (heldSeq depends on it), so they go in without it.
 */
function insertConflicting(ctx: StoreContext, convId: string, rows: MessageRow[]): void {
  for (const row of rows) {
    if (ctx.messages.byConvSeq(convId, row.seq as number)) continue;
    row.client_msg_id = null;
    ctx.messages.insertMany([row]);
  }
}
