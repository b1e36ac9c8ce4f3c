// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { VirtuosoMockContext } from 'react-virtuoso';
import { describe, expect, it } from 'vitest';
import type { ConversationView, GroupInfo, GroupMemberView, MessageView } from '../../../preload/api-types';
import { ConversationPane } from '../conversation/ConversationPane';
import { createFakeApi, textMessage, type FakeApi } from '../testing/fake-api';
import { conv } from '../testing/fixtures';
import { renderWithModel } from '../testing/render';

const G = 'g:team';
const now = Date.now();

const info: GroupInfo = { groupId: 'team', name: 'Team', owner: 'alice', admins: [], announcement: '', joinPolicy: 'invite', memberCount: 5, mutedAll: false };
const members: GroupMemberView[] = ['alice', 'bob', 'carol', 'dan', 'me'].map((userId) => ({ userId, role: userId === 'alice' ? 'owner' : 'member' }));

/** The group part of the fake answers as a server would for this one group (whoever implements the fake). */
function withGroup(fake: FakeApi, readCount: (seq: number) => { count: number; total: number }) {
  Object.assign(fake.api.group, {
    info: (arg: unknown) => {
      fake.calls.push({ method: 'group.info', arg });
      return Promise.resolve(info);
    },
    members: (arg: unknown) => {
      fake.calls.push({ method: 'group.members', arg });
      return Promise.resolve({ members });
    },
    readCount: (arg: { groupId: string; seq: number }) => {
      fake.calls.push({ method: 'group.readCount', arg });
      return Promise.resolve(readCount(arg.seq));
    },
  });
}

function renderPane(conversation: ConversationView, fake: FakeApi) {
  return renderWithModel(
    <VirtuosoMockContext.Provider value={{ viewportHeight: 2000, itemHeight: 40 }}>
      <ConversationPane conversation={conversation} target={{ convId: conversation.convId, nonce: 1 }} selfId="me" onSearchHere={() => undefined} />
    </VirtuosoMockContext.Provider>,
    { fake },
  );
}

const row = (seq: number) => document.querySelector<HTMLElement>(`[data-seq="${seq}"]`);
const callsOf = (fake: FakeApi, method: string) => fake.calls.filter((c) => c.method === method);

describe('a group conversation', () => {
  function setup() {
    const conversation = conv(G, { kind: 'group', title: 'Team', lastSeq: 3, readSeq: 3 });
    const messages: MessageView[] = [
      textMessage(G, 1, 'alice', 'morning', now - 3000),
      textMessage(G, 2, 'me', 'hi all', now - 2000),
      textMessage(G, 3, 'me', 'anyone?', now - 1000),
    ];
    const fake = createFakeApi({ conversations: [conversation], logs: { [G]: { messages } }, ackDelayMs: null });
    withGroup(fake, (seq) => (seq === 2 ? { count: 4, total: 4 } : { count: 1, total: 4 }));
    return { ...renderPane(conversation, fake), fake };
  }

  it('shows the member count under the title', async () => {
    setup();
    await waitFor(() => expect(screen.getByTestId('conversation-presence').textContent).toBe('5 members'));
  });

  it('shows how many read one’s own messages, and refreshes on click', async () => {
    const { fake } = setup();
    await waitFor(() => expect(within(row(3) as HTMLElement).getByTestId('read-count').textContent).toBe('1 read'));
    expect(within(row(2) as HTMLElement).getByTestId('read-count').textContent).toBe('All read');
    expect(within(row(1) as HTMLElement).queryByTestId('read-count')).toBeNull();
    expect(callsOf(fake, 'group.readCount').map((c) => c.arg)).toEqual(expect.arrayContaining([{ groupId: 'team', seq: 2 }, { groupId: 'team', seq: 3 }]));
    expect(callsOf(fake, 'group.readCount').some((c) => (c.arg as { seq: number }).seq === 1)).toBe(false);

    const before = callsOf(fake, 'group.readCount').length;
    fireEvent.click(within(row(3) as HTMLElement).getByTestId('read-count'));
    expect(callsOf(fake, 'group.readCount').length).toBe(before + 1);
  });

  it('asks for no read count of a message still being sent', async () => {
    const { fake } = setup();
    await waitFor(() => expect(row(3)).not.toBeNull());
    fireEvent.change(screen.getByTestId('composer-input'), { target: { value: 'one more' } });
    fireEvent.keyDown(screen.getByTestId('composer-input'), { key: 'Enter' });
    const pending = await waitFor(() => {
      const el = document.querySelector<HTMLElement>('[data-status="pending"]');
      expect(el).not.toBeNull();
      return el as HTMLElement;
    });
    expect(within(pending).queryByTestId('read-count')).toBeNull();
    expect(callsOf(fake, 'group.readCount').every((c) => [2, 3].includes((c.arg as { seq: number }).seq))).toBe(true);
  });
});

describe('a chatroom', () => {
  async function setup() {
    const fake = createFakeApi({ rooms: [{ roomId: 'lobby', name: 'Lobby', online: 3, messages: [{ from: 'zoe', text: 'welcome' }] }], ackDelayMs: null });
    const { convId } = await fake.api.room.join({ roomId: 'lobby' });
    const conversation = fake.conversation(convId) as ConversationView;
    const result = renderPane(conversation, fake);
    await waitFor(() => expect(result.model.conversations.get().loaded).toBe(true));
    act(() => result.model.navigate(convId));
    return { ...result, fake, convId };
  }

  it('shows who is online and no pin or mute', async () => {
    await setup();
    await waitFor(() => expect(screen.getByTestId('room-online').textContent).toBe('4 online'));
    expect(screen.queryByTestId('header-pin')).toBeNull();
    expect(screen.queryByTestId('header-mute')).toBeNull();
    expect(await screen.findByText('welcome')).toBeTruthy();
    expect(screen.queryByTestId('read-count')).toBeNull();
  });

  it('leaves: the room is gone from the list and the pane closes', async () => {
    const { fake, model, convId } = await setup();
    fireEvent.click(screen.getByTestId('room-leave'));
    await waitFor(() => expect(callsOf(fake, 'room.leave').map((c) => c.arg)).toEqual([{ roomId: 'lobby' }]));
    await waitFor(() => expect(model.navigation.get()).toBeNull());
    expect(model.conversations.get().byId.has(convId)).toBe(false);
  });
});
