/**
 * Decisions about one message, kept out of the components: which actions its menu offers, whether ↑ may
 * edit it, and how an edit or recall the server has not acknowledged (its `change`) is shown.
 */
import type { TFunction } from 'i18next';
import type { MessageView, PendingChangeView } from '../../../preload/api-types';
import { isRecallable, recallVerdict } from '../../../protocol/pure.js';
import { failureText } from '../lib/errors';

export type MessageActionId = 'reply' | 'copy' | 'save' | 'edit' | 'recall' | 'retry' | 'delete';

/** An edit or recall of it is on its way: another one is not offered until that one is answered. */
export function hasPendingChange(m: MessageView): boolean {
  return m.change?.status === 'pending';
}

/** Whether the user may edit the message (from the menu, or ↑ in an empty composer). */
export function canEdit(m: MessageView, selfId: string): boolean {
  return m.from === selfId && m.kind === 'text' && !m.recalled && m.seq !== null && !hasPendingChange(m);
}

/**
 * The actions the message's menu offers, in menu order. `recallWindowMs`: the server's (hello's limits), so
 * Recall is offered exactly while that server would accept it.
 */
export function offeredActions(m: MessageView, selfId: string, now: number, recallWindowMs: number): MessageActionId[] {
  if (m.recalled || m.kind === 'system') return [];
  const body = m.body as { text?: string; fileId?: string; label?: string };
  const list: MessageActionId[] = [];
  if (m.seq !== null) list.push('reply');
  if (copyTextOf(m)) list.push('copy');
  if ((m.kind === 'image' || m.kind === 'file') && body.fileId) list.push('save');
  if (canEdit(m, selfId)) list.push('edit');
  // Only an acknowledged message (it has a seq) with no edit or recall on its way.
  const recall =
    m.seq !== null &&
    !hasPendingChange(m) &&
    isRecallable(m) &&
    recallVerdict({ role: null, own: m.from === selfId, sentAt: m.ts, now, recallWindowMs }) === 'allowed';
  if (recall) list.push('recall');
  if (m.status === 'failed') list.push('retry');
  if (m.status !== 'sent') list.push('delete');
  return list;
}

export function copyTextOf(m: MessageView): string | undefined {
  const body = m.body as { text?: string; label?: string };
  return (m.kind === 'text' ? body.text : m.kind === 'location' ? body.label : undefined) || undefined;
}

export interface ChangeDisplay {
  kind: PendingChangeView['kind'];
  status: PendingChangeView['status'];
  /** Pending: "Editing…" / "Recalling…". Failed: "Edit not saved" / "Not recalled". */
  label: string;
  /** Failed: why, in the user's language. */
  reason?: string;
  /** Failed: whether trying again can help (a recall past its window never will). */
  retryable: boolean;
}

/** "Messages can be recalled only within 10 minutes", for the server's window. */
export function recallWindowText(recallWindowMs: number, t: TFunction): string {
  return recallWindowMs % 60_000 === 0
    ? t('errors.recallWindow', { count: recallWindowMs / 60_000 })
    : t('errors.recallWindowSeconds', { count: Math.round(recallWindowMs / 1000) });
}

/**
 * How a message's unacknowledged edit or recall is shown; null when it has none. `recallWindowMs`: the server's,
 * for why a recall was refused.
 */
export function changeDisplay(change: PendingChangeView | undefined, t: TFunction, recallWindowMs: number): ChangeDisplay | null {
  if (!change) return null;
  if (change.status === 'pending') {
    return { kind: change.kind, status: 'pending', label: t(change.kind === 'edit' ? 'message.editPending' : 'message.recallPending'), retryable: false };
  }
  const label = t(change.kind === 'edit' ? 'message.editFailed' : 'message.recallFailed');
  const failure = change.failure;
  if (change.kind === 'recall' && failure?.code === 'FORBIDDEN') return { kind: change.kind, status: 'failed', label, reason: recallWindowText(recallWindowMs, t), retryable: false };
  // The server's own words, when it said more than the code, follow the localized reason.
  const detail = failure?.message && failure.message !== failure.code ? failure.message.trim() : '';
  const reason = failureText(failure, t) + (detail ? ` (${detail})` : '');
  return { kind: change.kind, status: 'failed', label, reason, retryable: true };
}
