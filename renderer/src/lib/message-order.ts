/**
 * Ordering of a conversation's loaded messages: acknowledged ones by seq, then the ones still without a seq
 * (pending or failed) in the order they were written. Keys are clientMsgIds, the contract's identity for
 * `message:updated` and `messages:removed`.
 */
import type { MessageView } from '../../../preload/api-types';

/** Kinds that act on other entries and are never shown as rows themselves. */
const CONTROL_KINDS: ReadonlySet<string> = new Set(['edit', 'recall']);

export function isShown(m: MessageView): boolean {
  return !CONTROL_KINDS.has(m.kind);
}

export function messageKey(m: Pick<MessageView, 'clientMsgId' | 'seq' | 'from'>): string {
  return m.clientMsgId ? `c:${m.from}:${m.clientMsgId}` : `s:${m.seq ?? ''}`;
}

export function compareMessages(a: MessageView, b: MessageView): number {
  if (a.seq !== null && b.seq !== null) return a.seq - b.seq;
  if (a.seq !== null) return -1;
  if (b.seq !== null) return 1;
  return a.ts - b.ts;
}

/** The index at which `m` belongs (after equal elements), by binary search. */
export function insertionIndex(list: readonly MessageView[], m: MessageView): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareMessages(list[mid] as MessageView, m) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the message with this clientMsgId, searching from the end, where updates almost always land. */
export function indexOfClientMsgId(list: readonly MessageView[], clientMsgId: string): number {
  for (let i = list.length - 1; i >= 0; i--) if ((list[i] as MessageView).clientMsgId === clientMsgId) return i;
  return -1;
}

export function indexOfSeq(list: readonly MessageView[], seq: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const s = (list[mid] as MessageView).seq;
    if (s === null || s > seq) hi = mid - 1;
    else if (s < seq) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** Merges `incoming` into a sorted list: new ones inserted in order, known ones (same key) replaced. */
export function mergeMessages(list: readonly MessageView[], incoming: readonly MessageView[]): MessageView[] {
  const byKey = new Map<string, MessageView>();
  for (const m of list) byKey.set(messageKey(m), m);
  for (const m of incoming) if (isShown(m)) byKey.set(messageKey(m), m);
  return [...byKey.values()].sort(compareMessages);
}

export function lastSeqOf(list: readonly MessageView[]): number {
  for (let i = list.length - 1; i >= 0; i--) {
    const s = (list[i] as MessageView).seq;
    if (s !== null) return s;
  }
  return 0;
}

export function firstSeqOf(list: readonly MessageView[]): number | null {
  for (const m of list) if (m.seq !== null) return m.seq;
  return null;
}
