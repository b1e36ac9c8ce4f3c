// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ConversationView, GroupInfo, GroupMemberView, UserView } from '../../../preload/api-types';
import type { AppModel } from '../state/app-model';
import { createFakeApi } from '../testing/fake-api';
import { conv } from '../testing/fixtures';
import { renderWithModel } from '../testing/render';
import { Composer } from './Composer';
import { useGroupSeat } from './group-seat';

const G = 'g:team';
const noop = () => undefined;
const user = (userId: string, name: string): UserView => ({ userId, name, online: false, lastSeen: 0 });
const users = [user('alice', 'Alice Chen'), user('albert', 'Albert'), user('bob', 'Bob'), user('carol', '张敏'), user('me', 'Me')];

function GroupComposer({ conversation }: { conversation: ConversationView }) {
  const seat = useGroupSeat(conversation, 'me');
  return (
    <Composer
      convId={conversation.convId}
      reply={null}
      edit={null}
      offline={false}
      nameOf={(id) => id}
      onCancelReply={noop}
      onCancelEdit={noop}
      onSent={noop}
      onEditLast={noop}
      group={seat}
      left={conversation.left === true}
    />
  );
}

/** After the session is in (signing in clears `groups`), as loadGroup leaves it. */
async function seedGroup(model: AppModel, members: GroupMemberView[], info: Partial<GroupInfo> = {}) {
  await waitFor(() => expect(model.conversations.get().loaded).toBe(true));
  const full: GroupInfo = { groupId: 'team', name: 'Team', owner: 'alice', admins: [], announcement: '', joinPolicy: 'invite', memberCount: members.length, mutedAll: false, ...info };
  act(() => model.groups.set(new Map([['team', { info: full, members, loadedAt: Date.now() }]])));
  // As loadGroup does: the members' names.
  model.ensureUsers(members.map((m) => m.userId));
  await waitFor(() => expect(model.users.get().size).toBeGreaterThan(0));
}

const plainMembers: GroupMemberView[] = [
  { userId: 'alice', role: 'owner' },
  { userId: 'bob', role: 'admin' },
  { userId: 'albert', role: 'member' },
  { userId: 'carol', role: 'member' },
  { userId: 'me', role: 'member' },
];

async function setup(members: GroupMemberView[] = plainMembers, patch: Partial<ConversationView> = {}, info: Partial<GroupInfo> = {}) {
  const conversation = conv(G, { kind: 'group', title: 'Team', ...patch });
  const fake = createFakeApi({ conversations: [conversation], users, ackDelayMs: null });
  // conversation.delete is newer than the core fake: record it here.
  Object.assign(fake.api.conversation, {
    delete: (arg: { convId: string }) => {
      fake.calls.push({ method: 'conversation.delete', arg });
      return Promise.resolve();
    },
  });
  const result = renderWithModel(<GroupComposer conversation={conversation} />, { fake });
  await seedGroup(result.model, members, info);
  return result;
}

const input = () => screen.getByTestId('composer-input') as HTMLTextAreaElement;
const type = (value: string) => fireEvent.change(input(), { target: { value } });
const sends = (calls: Array<{ method: string; arg: unknown }>) => calls.filter((c) => c.method === 'messages.send');
const optionIds = () => within(screen.getByTestId('mention-popup')).getAllByRole('option').map((o) => o.getAttribute('data-testid'));

describe('Composer in a group: @mentions', () => {
  it('offers members matching what follows the @ (id or name), not oneself, and inserts the pick', async () => {
    await setup();
    await waitFor(() => expect(screen.getByTestId('composer-input')).toBeTruthy());
    type('hi @al');
    await waitFor(() => expect(optionIds()).toEqual(['mention-option-alice', 'mention-option-albert']));
    expect(screen.getByTestId('mention-popup').getAttribute('role')).toBe('listbox');
    expect(screen.queryByTestId('mention-option-all')).toBeNull();
    expect(screen.queryByTestId('mention-option-me')).toBeNull();

    type('hi @张');
    await waitFor(() => expect(optionIds()).toEqual(['mention-option-carol']));

    type('hi @al');
    fireEvent.click(await screen.findByTestId('mention-option-albert'));
    expect(input().value).toBe('hi @albert ');
    expect(screen.queryByTestId('mention-popup')).toBeNull();
  });

  it('moves with ↑/↓ (the textarea points at the active option), picks with Enter or Tab, closes with Esc', async () => {
    const { fake } = await setup();
    type('@al');
    await screen.findByTestId('mention-popup');
    const activeId = () => input().getAttribute('aria-activedescendant');
    const first = activeId();
    expect(document.getElementById(first ?? '')?.getAttribute('data-testid')).toBe('mention-option-alice');
    fireEvent.keyDown(input(), { key: 'ArrowDown' });
    expect(document.getElementById(activeId() ?? '')?.getAttribute('data-testid')).toBe('mention-option-albert');
    fireEvent.keyDown(input(), { key: 'Enter' });
    expect(input().value).toBe('@albert ');
    expect(sends(fake.calls)).toHaveLength(0);

    type('@albert @b');
    await screen.findByTestId('mention-option-bob');
    fireEvent.keyDown(input(), { key: 'Tab' });
    expect(input().value).toBe('@albert @bob ');

    type('@albert @bob @c');
    await screen.findByTestId('mention-popup');
    fireEvent.keyDown(input(), { key: 'Escape' });
    expect(screen.queryByTestId('mention-popup')).toBeNull();
    expect(input().getAttribute('aria-activedescendant')).toBeNull();
  });

  it('leaves keys to the IME while it composes', async () => {
    const { fake } = await setup();
    type('@al');
    await screen.findByTestId('mention-popup');
    fireEvent.keyDown(input(), { key: 'Enter', isComposing: true });
    fireEvent.keyDown(input(), { key: 'ArrowDown', keyCode: 229 });
    expect(input().value).toBe('@al');
    expect(sends(fake.calls)).toHaveLength(0);
  });

  it('sends the mentioned members with the message', async () => {
    const { fake } = await setup();
    type('@alice and @carol, look (@mallory too)');
    fireEvent.keyDown(input(), { key: 'Escape' });
    fireEvent.keyDown(input(), { key: 'Enter' });
    await waitFor(() => expect(sends(fake.calls)).toHaveLength(1));
    expect(sends(fake.calls)[0]?.arg).toMatchObject({ convId: G, body: { text: '@alice and @carol, look (@mallory too)' }, mentions: ['alice', 'carol'] });
  });

  it('offers @all to the owner and admins only, and only they send it as a mention', async () => {
    const asMember = await setup();
    type('@a');
    await screen.findByTestId('mention-option-alice');
    expect(screen.queryByTestId('mention-option-all')).toBeNull();
    type('@all hands');
    fireEvent.keyDown(input(), { key: 'Enter' });
    await waitFor(() => expect(sends(asMember.fake.calls)).toHaveLength(1));
    expect((sends(asMember.fake.calls)[0]?.arg as { mentions?: string[] }).mentions).toBeUndefined();
    asMember.unmount();

    const asAdmin = await setup(plainMembers.map((m) => (m.userId === 'me' ? { ...m, role: 'admin' } : m)));
    type('@a');
    await screen.findByTestId('mention-option-all');
    // Last, so a quick Enter does not notify everyone.
    expect(optionIds().at(-1)).toBe('mention-option-all');
    fireEvent.click(screen.getByTestId('mention-option-all'));
    expect(input().value).toBe('@all ');
    type('@all meeting now');
    fireEvent.keyDown(input(), { key: 'Enter' });
    await waitFor(() => expect(sends(asAdmin.fake.calls)).toHaveLength(1));
    expect(sends(asAdmin.fake.calls)[0]?.arg).toMatchObject({ mentions: ['@all'] });
  });

  it('shows at most 8 people', async () => {
    const many: GroupMemberView[] = [{ userId: 'me', role: 'member' }, ...Array.from({ length: 20 }, (_, i) => ({ userId: `user${i}`, role: 'member' as const }))];
    await setup(many);
    type('@user');
    await screen.findByTestId('mention-popup');
    expect(optionIds()).toHaveLength(8);
  });

  it('keeps private chats as they were: only the peer is a mention', async () => {
    const A = 'p:alice|me';
    const { fake, model } = renderWithModel(
      <Composer convId={A} reply={null} edit={null} offline={false} nameOf={(id) => id} onCancelReply={noop} onCancelEdit={noop} onSent={noop} onEditLast={noop} />,
      { conversations: [conv(A)] },
    );
    // The peer is the member of the chat who is not the signed-in user: known once the session is.
    await waitFor(() => expect(model.session.get()?.userId).toBe('me'));
    type('@alice @bob @all');
    expect(screen.queryByTestId('mention-popup')).toBeNull();
    fireEvent.keyDown(input(), { key: 'Enter' });
    await waitFor(() => expect(sends(fake.calls)).toHaveLength(1));
    expect(sends(fake.calls)[0]?.arg).toMatchObject({ mentions: ['alice'] });
  });
});

describe('Composer in a group: who may speak', () => {
  it('explains a mute with its end and does not send', async () => {
    const until = Date.now() + 3600_000;
    const { fake } = await setup(plainMembers.map((m) => (m.userId === 'me' ? { ...m, mutedUntil: until } : m)));
    const notice = await screen.findByTestId('composer-muted');
    expect(notice.textContent).toMatch(/You are muted until/);
    expect((screen.getByTestId('composer-send') as HTMLButtonElement).disabled).toBe(true);
    expect(input().disabled).toBe(true);
    fireEvent.keyDown(input(), { key: 'Enter' });
    expect(sends(fake.calls)).toHaveLength(0);
  });

  it('says only admins speak while everyone is muted, for plain members only', async () => {
    const member = await setup(plainMembers, {}, { mutedAll: true });
    expect((await screen.findByTestId('composer-muted')).textContent).toBe('Only admins can speak now');
    member.unmount();

    await setup(plainMembers.map((m) => (m.userId === 'me' ? { ...m, role: 'admin' } : m)), {}, { mutedAll: true });
    await waitFor(() => expect(screen.getByTestId('composer-input')).toBeTruthy());
    expect(screen.queryByTestId('composer-muted')).toBeNull();
    expect(input().disabled).toBe(false);
  });

  it('replaces the composer for a group one is no longer in, and deletes the chat on request', async () => {
    const { fake, model } = await setup(plainMembers, { left: true });
    act(() => model.navigate(G));
    const notice = await screen.findByTestId('composer-left');
    expect(notice.textContent).toContain('You are no longer in this group');
    expect(screen.queryByTestId('composer-input')).toBeNull();
    fireEvent.click(within(notice).getByTestId('conversation-delete'));
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'conversation.delete' && (c.arg as { convId: string }).convId === G)).toBe(true));
  });
});
