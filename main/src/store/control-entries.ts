/**
 * Recall and edit entries act on an earlier entry of the same log. Either may be stored before its target
 * (gap fill, history paging), so the target's state is recomputed from all stored control entries whenever
 * the target or one of them arrives: order of arrival does not matter.
 */
import { CONTROL_KINDS, type MessageRow } from './message-codec.js';
import type { StoreContext } from './store-context.js';

/** Brings the message at `targetSeq` in line with the recall/edit entries stored for it; returns its id if it changed. */
export function resolveTarget(ctx: StoreContext, convId: string, targetSeq: number): number | null {
  const target = ctx.messages.byConvSeq(convId, targetSeq);
  if (!target || CONTROL_KINDS.has(target.kind) || target.recalled) return null;
  const controls = ctx.messages.controlsTargeting(convId, targetSeq, targetSeq);
  if (controls.some((c) => c.kind === 'recall')) {
    ctx.messages.markRecalled(target.id);
    return target.id;
  }
  const text = latestEditText(controls);
  if (text === null || target.kind !== 'text' || text === target.text) return null;
  ctx.messages.setEditedText(target.id, text);
  return target.id;
}

function latestEditText(controls: MessageRow[]): string | null {
  for (let i = controls.length - 1; i >= 0; i--) {
    const control = controls[i] as MessageRow;
    if (control.kind !== 'edit') continue;
    const text = (JSON.parse(control.body) as { text?: unknown }).text;
    if (typeof text === 'string') return text;
  }
  return null;
}
