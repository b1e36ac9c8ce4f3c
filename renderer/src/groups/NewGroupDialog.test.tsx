// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { UserView } from '../../../preload/api-types';
import { renderWithModel } from '../testing/render';
import type { FakeGroupSpec } from '../testing/fake-groups';
import { NewGroupDialog } from './NewGroupDialog';

const user = (userId: string, name: string): UserView => ({ userId, name, online: false, lastSeen: 0 });
const users = [user('alice', 'Alice'), user('bob', 'Bob'), user('carol', 'Carol')];
const groups: FakeGroupSpec[] = [
  { groupId: 'club', name: 'Book club', owner: 'alice', members: ['bob'], joinPolicy: 'approval' },
  { groupId: 'lobby', name: 'Lobby', owner: 'alice', members: [], joinPolicy: 'open' },
  { groupId: 'secret', name: 'Secret', owner: 'alice', members: [], joinPolicy: 'invite' },
];

function setup(options: { language?: 'en' | 'zh-CN'; limits?: { maxGroupMembers: number }; blockedBy?: string[] } = {}) {
  const onOpened = vi.fn();
  const onClose = vi.fn();
  const rendered = renderWithModel(<NewGroupDialog selfId="me" onClose={onClose} onOpened={onOpened} />, { users, groups, ...options });
  return { ...rendered, onOpened, onClose };
}

const type = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });
const callsOf = (fake: ReturnType<typeof setup>['fake'], method: string) => fake.calls.filter((c) => c.method === method);

describe('NewGroupDialog: create', () => {
  it('holds a new group to the server’s maxGroupMembers, the owner included', async () => {
    const { fake, model } = setup({ limits: { maxGroupMembers: 3 } });
    await waitFor(() => expect(model.limits.get().maxGroupMembers).toBe(3));
    type('group-name-input', 'Trio');
    type('group-member-input', 'alice bob carol');
    fireEvent.keyDown(screen.getByTestId('group-member-input'), { key: 'Enter' });
    expect((await screen.findByTestId('group-member-error')).textContent).toBe('A group holds at most 3 members on this server');
    expect(screen.queryAllByTestId(/^group-member-chip-/)).toHaveLength(0);
    type('group-member-input', 'alice bob');
    fireEvent.click(screen.getByTestId('group-create-submit'));
    await waitFor(() => expect(callsOf(fake, 'groups.create')).toHaveLength(1));
    expect(callsOf(fake, 'groups.create')[0]?.arg).toMatchObject({ members: ['alice', 'bob'] });
  });

  it('creates a group with the picked members and opens its conversation', async () => {
    const { fake, onOpened } = setup();
    type('group-name-input', 'Weekend hike');
    type('group-member-input', 'alice');
    fireEvent.keyDown(screen.getByTestId('group-member-input'), { key: 'Enter' });
    expect((await screen.findByTestId('group-member-chip-alice')).textContent).toContain('Alice');
    type('group-member-input', 'bob');
    fireEvent.click(screen.getByTestId('group-member-add'));
    await screen.findByTestId('group-member-chip-bob');
    // A duplicate is ignored, not an error.
    type('group-member-input', 'alice');
    fireEvent.keyDown(screen.getByTestId('group-member-input'), { key: 'Enter' });
    await waitFor(() => expect((screen.getByTestId('group-member-input') as HTMLInputElement).value).toBe(''));
    expect(screen.queryByTestId('group-member-error')).toBeNull();
    expect(screen.getAllByTestId(/^group-member-chip-/)).toHaveLength(2);
    fireEvent.change(screen.getByTestId('group-policy-select'), { target: { value: 'open' } });
    fireEvent.click(screen.getByTestId('group-create-submit'));

    await waitFor(() => expect(onOpened).toHaveBeenCalledTimes(1));
    expect(callsOf(fake, 'groups.create')[0]?.arg).toEqual({ name: 'Weekend hike', members: ['alice', 'bob'], joinPolicy: 'open' });
    const convId = onOpened.mock.calls[0]?.[0] as string;
    expect(convId).toMatch(/^g:/);
    expect(fake.conversation(convId)).toMatchObject({ kind: 'group', title: 'Weekend hike' });
    expect(fake.messagesOf(convId)[0]?.body).toMatchObject({ event: 'group.created', actor: 'me', targets: ['alice', 'bob'] });
  });

  it('opens the group and says who could not be added when the server leaves someone out', async () => {
    for (const [language, text] of [
      ['en', 'Could not add bob to the group'],
      ['zh-CN', '无法将 bob 加入群聊'],
    ] as const) {
      const { fake, model, onOpened, unmount } = setup({ blockedBy: ['bob'], language });
      type('group-name-input', 'Hike');
      type('group-member-input', 'alice bob');
      fireEvent.click(screen.getByTestId('group-create-submit'));
      await waitFor(() => expect(onOpened).toHaveBeenCalledTimes(1));
      expect(callsOf(fake, 'groups.create')[0]?.arg).toMatchObject({ members: ['alice', 'bob'] });
      expect(model.toasts.get().map((t) => ('text' in t ? t.text : ''))).toContain(text);
      unmount();
    }
  });

  it('refuses an unknown user and yourself, and lets a picked member be removed', async () => {
    const { fake } = setup();
    type('group-member-input', 'ghost');
    fireEvent.keyDown(screen.getByTestId('group-member-input'), { key: 'Enter' });
    expect((await screen.findByTestId('group-member-error')).textContent).toContain('ghost');
    expect(screen.queryByTestId('group-member-chip-ghost')).toBeNull();

    type('group-member-input', 'me');
    fireEvent.click(screen.getByTestId('group-member-add'));
    expect((await screen.findByTestId('group-member-error')).textContent).toContain('owner');

    type('group-member-input', 'carol');
    fireEvent.click(screen.getByTestId('group-member-add'));
    const chip = await screen.findByTestId('group-member-chip-carol');
    fireEvent.click(screen.getByRole('button', { name: 'Remove Carol' }));
    expect(chip.isConnected).toBe(false);
    expect(callsOf(fake, 'groups.create')).toHaveLength(0);
  });

  it('checks ids left in the box on submit and does not create with an unknown one', async () => {
    const { fake, onOpened } = setup();
    type('group-name-input', 'Team');
    type('group-member-input', 'alice, ghost');
    fireEvent.click(screen.getByTestId('group-create-submit'));
    expect((await screen.findByTestId('group-member-error')).textContent).toContain('ghost');
    await screen.findByTestId('group-member-chip-alice');
    expect(callsOf(fake, 'groups.create')).toHaveLength(0);
    expect(onOpened).not.toHaveBeenCalled();
  });

  it('requires a name', async () => {
    const { fake } = setup();
    fireEvent.click(screen.getByTestId('group-create-submit'));
    expect((await screen.findByRole('alert')).textContent).toBe('Enter a name for the group');
    expect(callsOf(fake, 'groups.create')).toHaveLength(0);
  });
});

describe('NewGroupDialog: join by id', () => {
  it('shows the group and that the request is pending in an approval group', async () => {
    const { fake, onOpened } = setup();
    fireEvent.click(screen.getByTestId('new-group-tab-join'));
    type('group-join-id', 'club');
    type('group-join-note', 'I read a lot');
    fireEvent.click(screen.getByTestId('group-join-submit'));
    expect((await screen.findByTestId('group-join-pending')).textContent).toBe('Request sent; an admin will review it.');
    expect(screen.getByTestId('group-join-card').textContent).toContain('Book club');
    expect(screen.getByTestId('group-join-card').textContent).toContain('2 members');
    expect(callsOf(fake, 'group.join')[0]?.arg).toEqual({ groupId: 'club', note: 'I read a lot' });
    expect(onOpened).not.toHaveBeenCalled();
  });

  it('opens an open group at once', async () => {
    const { fake, onOpened } = setup();
    fireEvent.click(screen.getByTestId('new-group-tab-join'));
    type('group-join-id', 'lobby');
    fireEvent.click(screen.getByTestId('group-join-submit'));
    await waitFor(() => expect(onOpened).toHaveBeenCalledWith('g:lobby'));
    expect(fake.conversation('g:lobby')).toMatchObject({ kind: 'group', title: 'Lobby' });
  });

  it('says an invitation-only group cannot be joined, and shows errors inline', async () => {
    const { fake } = setup();
    fireEvent.click(screen.getByTestId('new-group-tab-join'));
    type('group-join-id', 'secret');
    fireEvent.click(screen.getByTestId('group-join-submit'));
    await screen.findByTestId('group-join-invite-only');
    expect(callsOf(fake, 'group.join')).toHaveLength(0);

    type('group-join-id', 'nowhere');
    fireEvent.click(screen.getByTestId('group-join-submit'));
    expect((await screen.findByTestId('group-join-error')).textContent).toBe('It doesn’t exist (any more).');
  });

  it('moves between the tabs with the arrow keys', () => {
    setup();
    const create = screen.getByTestId('new-group-tab-create');
    expect(create.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(create, { key: 'ArrowRight' });
    expect(screen.getByTestId('new-group-tab-join').getAttribute('aria-selected')).toBe('true');
    expect(screen.getByTestId('group-join-id')).toBeTruthy();
  });
});

describe('NewGroupDialog in 简体中文', () => {
  it('renders Chinese labels', () => {
    setup({ language: 'zh-CN' });
    expect(screen.getByTestId('new-group-tab-create').textContent).toBe('创建群聊');
    expect(screen.getByTestId('new-group-tab-join').textContent).toBe('按群号加入');
    expect(screen.getByText('群名称')).toBeTruthy();
    expect(screen.getByRole('option', { name: '需管理员审核' })).toBeTruthy();
  });
});
