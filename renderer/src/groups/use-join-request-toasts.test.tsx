// @vitest-environment jsdom
import { waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useModel } from '../app/model-context';
import { conv } from '../testing/fixtures';
import { renderWithModel } from '../testing/render';
import { useJoinRequestToasts } from './use-join-request-toasts';

function Probe() {
  useJoinRequestToasts(useModel());
  return null;
}

describe('useJoinRequestToasts', () => {
  it('toasts a live join request with the requester’s name and the group’s title', async () => {
    const { fake, model } = renderWithModel(<Probe />, {
      conversations: [conv('g:g1', { kind: 'group', title: 'Book club' })],
      users: [{ userId: 'dave', name: 'Dave', online: false, lastSeen: 0 }],
    });
    await waitFor(() => expect(model.conversations.get().loaded).toBe(true));
    fake.emit('group:join-requested', { groupId: 'g1', convId: 'g:g1', userId: 'dave', note: '', ts: 1 });
    await waitFor(() => expect(model.toasts.get().map((t) => ('text' in t ? t.text : ''))).toContain('Dave asks to join Book club'));
    expect(model.joinRequests.get().get('g1')).toEqual([{ userId: 'dave', note: '', ts: 1 }]);
  });
});
