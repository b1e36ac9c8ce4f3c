import { describe, expect, it } from 'vitest';
import type { MessageView, PendingChangeView } from '../../../preload/api-types';
import { createI18n } from '../i18n/setup';
import { textMessage } from '../testing/fake-api';
import { canEdit, changeDisplay, offeredActions, RECALL_WINDOW_MS } from './message-actions';

const now = 1_000_000;
const mine = (extra: Partial<MessageView> = {}) => textMessage('p:a|me', 5, 'me', 'hello', now - 1000, extra);
const change = (kind: PendingChangeView['kind'], status: PendingChangeView['status'], failure?: PendingChangeView['failure']): PendingChangeView => ({ kind, clientMsgId: 'ch-1', status, ...(failure ? { failure } : {}) });
const t = createI18n('en').t;

describe('offeredActions', () => {
  it('offers edit and recall on the user’s own recent text message', () => {
    expect(offeredActions(mine(), 'me', now)).toEqual(['reply', 'copy', 'edit', 'recall']);
    expect(offeredActions(mine(), 'me', now + RECALL_WINDOW_MS)).toEqual(['reply', 'copy', 'edit']);
    expect(offeredActions(textMessage('p:a|me', 5, 'a', 'hi', now), 'me', now)).toEqual(['reply', 'copy']);
  });

  it('offers neither edit nor recall while an edit or recall of it is on its way, and both again once refused', () => {
    expect(offeredActions(mine({ change: change('edit', 'pending') }), 'me', now)).toEqual(['reply', 'copy']);
    expect(offeredActions(mine({ change: change('recall', 'pending') }), 'me', now)).toEqual(['reply', 'copy']);
    expect(offeredActions(mine({ change: change('edit', 'failed') }), 'me', now)).toEqual(['reply', 'copy', 'edit', 'recall']);
    expect(canEdit(mine({ change: change('edit', 'pending') }), 'me')).toBe(false);
  });
});

describe('changeDisplay', () => {
  it('marks a change on its way', () => {
    expect(changeDisplay(change('edit', 'pending'), t)).toMatchObject({ label: 'Editing…', status: 'pending' });
    expect(changeDisplay(change('recall', 'pending'), t)).toMatchObject({ label: 'Recalling…', status: 'pending' });
    expect(changeDisplay(undefined, t)).toBeNull();
  });

  it('says why a change was refused, by its code, with what the server said', () => {
    expect(changeDisplay(change('recall', 'failed', { code: 'FORBIDDEN', message: 'too late' }), t)).toEqual({
      kind: 'recall', status: 'failed', label: 'Not recalled', reason: 'Messages can be recalled only within 2 minutes.', retryable: false,
    });
    expect(changeDisplay(change('edit', 'failed', { code: 'MUTED', message: 'MUTED' }), t)).toMatchObject({ label: 'Edit not saved', reason: 'You can’t send messages here right now.', retryable: true });
    expect(changeDisplay(change('edit', 'failed', { code: 'FORBIDDEN', message: 'edit window has passed' }), t)?.reason).toBe('You’re not allowed to do that. (edit window has passed)');
    expect(changeDisplay(change('edit', 'failed'), t)?.reason).toBe('Something went wrong.');
  });
});
