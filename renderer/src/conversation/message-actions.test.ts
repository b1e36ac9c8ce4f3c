import { describe, expect, it } from 'vitest';
import type { MessageView, PendingChangeView } from '../../../preload/api-types';
import { DEFAULT_LIMITS } from '../../../protocol/pure.js';
import { createI18n } from '../i18n/setup';
import { textMessage } from '../testing/fake-api';
import { canEdit, changeDisplay, offeredActions, recallWindowText } from './message-actions';

const now = 1_000_000;
const mine = (extra: Partial<MessageView> = {}) => textMessage('p:a|me', 5, 'me', 'hello', now - 1000, extra);
const change = (kind: PendingChangeView['kind'], status: PendingChangeView['status'], failure?: PendingChangeView['failure']): PendingChangeView => ({ kind, clientMsgId: 'ch-1', status, ...(failure ? { failure } : {}) });
const t = createI18n('en').t;
/** The protocol's default, what a server that announces none applies. */
const RECALL_WINDOW_MS = DEFAULT_LIMITS.recallWindowMs;

describe('offeredActions', () => {
  it('offers edit and recall on the user’s own recent text message', () => {
    expect(offeredActions(mine(), 'me', now, RECALL_WINDOW_MS)).toEqual(['reply', 'copy', 'edit', 'recall']);
    expect(offeredActions(mine(), 'me', now + RECALL_WINDOW_MS, RECALL_WINDOW_MS)).toEqual(['reply', 'copy', 'edit']);
    expect(offeredActions(textMessage('p:a|me', 5, 'a', 'hi', now), 'me', now, RECALL_WINDOW_MS)).toEqual(['reply', 'copy']);
  });

  it('offers neither edit nor recall while an edit or recall of it is on its way, and both again once refused', () => {
    expect(offeredActions(mine({ change: change('edit', 'pending') }), 'me', now, RECALL_WINDOW_MS)).toEqual(['reply', 'copy']);
    expect(offeredActions(mine({ change: change('recall', 'pending') }), 'me', now, RECALL_WINDOW_MS)).toEqual(['reply', 'copy']);
    expect(offeredActions(mine({ change: change('edit', 'failed') }), 'me', now, RECALL_WINDOW_MS)).toEqual(['reply', 'copy', 'edit', 'recall']);
    expect(canEdit(mine({ change: change('edit', 'pending') }), 'me')).toBe(false);
  });

  it('offers recall for as long as the server’s recall window, not a fixed two minutes', () => {
    const fiveMinutesOld = textMessage('p:a|me', 5, 'me', 'hello', now - 5 * 60_000);
    expect(offeredActions(fiveMinutesOld, 'me', now, 600_000)).toContain('recall');
    expect(offeredActions(fiveMinutesOld, 'me', now, 120_000)).not.toContain('recall');
  });
});

describe('changeDisplay', () => {
  it('marks a change on its way', () => {
    expect(changeDisplay(change('edit', 'pending'), t, RECALL_WINDOW_MS)).toMatchObject({ label: 'Editing…', status: 'pending' });
    expect(changeDisplay(change('recall', 'pending'), t, RECALL_WINDOW_MS)).toMatchObject({ label: 'Recalling…', status: 'pending' });
    expect(changeDisplay(undefined, t, RECALL_WINDOW_MS)).toBeNull();
  });

  it('says why a change was refused, by its code, with what the server said', () => {
    expect(changeDisplay(change('recall', 'failed', { code: 'FORBIDDEN', message: 'too late' }), t, RECALL_WINDOW_MS)).toEqual({
      kind: 'recall', status: 'failed', label: 'Not recalled', reason: 'Messages can be recalled only within 2 minutes.', retryable: false,
    });
    expect(changeDisplay(change('edit', 'failed', { code: 'MUTED', message: 'MUTED' }), t, RECALL_WINDOW_MS)).toMatchObject({ label: 'Edit not saved', reason: 'You can’t send messages here right now.', retryable: true });
    expect(changeDisplay(change('edit', 'failed', { code: 'FORBIDDEN', message: 'edit window has passed' }), t, RECALL_WINDOW_MS)?.reason).toBe('You’re not allowed to do that. (edit window has passed)');
    expect(changeDisplay(change('edit', 'failed'), t, RECALL_WINDOW_MS)?.reason).toBe('Something went wrong.');
  });

  it('states the server’s recall window', () => {
    expect(changeDisplay(change('recall', 'failed', { code: 'FORBIDDEN', message: 'too late' }), t, 600_000)?.reason).toBe('Messages can be recalled only within 10 minutes.');
    expect(recallWindowText(60_000, t)).toBe('Messages can be recalled only within 1 minute.');
    expect(recallWindowText(30_000, t)).toBe('Messages can be recalled only within 30 seconds.');
    expect(recallWindowText(600_000, createI18n('zh-CN').t)).toBe('只能撤回 10 分钟内的消息。');
  });
});
