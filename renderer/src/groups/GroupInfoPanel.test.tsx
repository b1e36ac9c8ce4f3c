// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { UserView } from '../../../preload/api-types';
import { useModel } from '../app/model-context';
import { useStore } from '../lib/store';
import type { FakeGroupSpec } from '../testing/fake-groups';
import { renderWithModel } from '../testing/render';
import { GroupInfoPanel } from './GroupInfoPanel';

const user = (userId: string, name: string): UserView => ({ userId, name, online: false, lastSeen: 0 });
const users = [user('alice', 'Alice'), user('bob', 'Bob'), user('carol', 'Carol'), user('dave', 'Dave'), user('me', 'Me')];

/** The panel as the conversation pane shows it: fed the conversation as the model currently has it. */
function Harness({ convId }: { convId: string }) {
  const model = useModel();
  const c = useStore(model.conversations).byId.get(convId);
  return c ? <GroupInfoPanel conversation={c} selfId="me" onClose={() => undefined} /> : null;
}

function setup(
  spec: Omit<FakeGroupSpec, 'groupId' | 'name'> & { name?: string },
  options: { language?: 'en' | 'zh-CN'; limits?: { maxGroupMembers: number }; blockedBy?: string[] } = {},
) {
  const group: FakeGroupSpec = { groupId: 'g1', name: 'Team', ...spec };
  return renderWithModel(<Harness convId="g:g1" />, { users, groups: [group], ...options });
}

const row = (userId: string) => screen.getByTestId(`group-member-${userId}`);
const callsOf = (fake: ReturnType<typeof setup>['fake'], method: string) => fake.calls.filter((c) => c.method === method);

describe('GroupInfoPanel for a plain member', () => {
  it('shows the group, members by role, and no management controls', async () => {
    setup({ owner: 'alice', admins: ['bob'], members: ['carol', 'me'] });
    await screen.findByTestId('group-member-carol');
    expect(screen.getByTestId('group-info-name').textContent).toBe('Team');
    expect(screen.getByTestId('group-member-count').textContent).toBe('4 members');
    expect(screen.getByTestId('group-announcement').textContent).toBe('No announcement');
    const rows = screen.getAllByTestId(/^group-member-(alice|bob|carol|me)$/);
    expect(rows.map((r) => [r.dataset.testid, r.dataset.role])).toEqual([
      ['group-member-alice', 'owner'],
      ['group-member-bob', 'admin'],
      ['group-member-carol', 'member'],
      ['group-member-me', 'member'],
    ]);
    expect(within(row('alice')).getByText('Owner')).toBeTruthy();
    expect(within(row('bob')).getByText('Admin')).toBeTruthy();
    expect(screen.queryByTestId('group-edit')).toBeNull();
    expect(screen.queryByTestId('group-mute-all')).toBeNull();
    expect(screen.queryByTestId(/^group-member-actions-/)).toBeNull();
    expect(screen.queryByTestId('group-dismiss')).toBeNull();
    expect(screen.getByTestId('group-leave')).toBeTruthy();
    // An open group: any member invites.
    expect(screen.getByTestId('group-invite-input')).toBeTruthy();
  });

  it('offers no invite in an invitation-only group', async () => {
    setup({ owner: 'alice', members: ['me'], joinPolicy: 'invite' });
    await screen.findByTestId('group-member-me');
    expect(screen.queryByTestId('group-invite-input')).toBeNull();
  });

  it('invites several users at once', async () => {
    const { fake } = setup({ owner: 'alice', members: ['me'] });
    await screen.findByTestId('group-member-me');
    fireEvent.change(screen.getByTestId('group-invite-input'), { target: { value: 'carol, dave' } });
    fireEvent.click(screen.getByTestId('group-invite-submit'));
    await screen.findByTestId('group-member-dave');
    expect(callsOf(fake, 'group.invite')[0]?.arg).toEqual({ groupId: 'g1', userIds: ['carol', 'dave'] });
  });

  it('names those the server did not add, in the form, and counts only the invited', async () => {
    const { model } = setup({ owner: 'alice', members: ['me'] }, { blockedBy: ['dave'] });
    await screen.findByTestId('group-member-me');
    fireEvent.change(screen.getByTestId('group-invite-input'), { target: { value: 'carol, dave' } });
    fireEvent.click(screen.getByTestId('group-invite-submit'));
    expect((await screen.findByRole('alert')).textContent).toBe('Could not add dave to the group');
    await screen.findByTestId('group-member-carol');
    expect(screen.queryByTestId('group-member-dave')).toBeNull();
    expect(model.toasts.get().map((t) => ('text' in t ? t.text : ''))).toContain('Invited 1 person');
  });

  it('invites up to the server’s maxGroupMembers; members already in do not count twice', async () => {
    const { fake } = setup({ owner: 'alice', members: ['me'] }, { limits: { maxGroupMembers: 3 } });
    await screen.findByTestId('group-member-me');
    fireEvent.change(screen.getByTestId('group-invite-input'), { target: { value: 'carol, dave' } });
    fireEvent.click(screen.getByTestId('group-invite-submit'));
    expect((await screen.findByRole('alert')).textContent).toBe('A group holds at most 3 members on this server');
    expect(callsOf(fake, 'group.invite')).toHaveLength(0);
    fireEvent.change(screen.getByTestId('group-invite-input'), { target: { value: 'alice, carol' } });
    fireEvent.click(screen.getByTestId('group-invite-submit'));
    await screen.findByTestId('group-member-carol');
    expect(callsOf(fake, 'group.invite')[0]?.arg).toEqual({ groupId: 'g1', userIds: ['alice', 'carol'] });
  });

  it('leaves after confirming, then shows only the notice and a way to delete the chat', async () => {
    const { fake } = setup({ owner: 'alice', members: ['me'] });
    fireEvent.click(await screen.findByTestId('group-leave'));
    fireEvent.click(await screen.findByTestId('confirm-ok'));
    expect((await screen.findByTestId('group-left-notice')).textContent).toBe('You are no longer in this group');
    expect(callsOf(fake, 'group.leave')).toHaveLength(1);
    expect(fake.conversation('g:g1')?.left).toBe(true);
    expect(screen.queryByTestId('group-leave')).toBeNull();
    expect(screen.queryByTestId('group-members')).toBeNull();
    // The server takes no settings from a former member: no switches, only deleting the local copy.
    expect(screen.queryAllByRole('switch')).toHaveLength(0);
    fireEvent.click(screen.getByTestId('group-delete-chat'));
    await waitFor(() => expect(fake.conversation('g:g1')).toBeUndefined());
  });
});

describe('GroupInfoPanel for an admin', () => {
  it('may act on plain members only, and kicks after confirming', async () => {
    const { fake } = setup({ owner: 'alice', admins: ['bob', 'me'], members: ['carol'] });
    await screen.findByTestId('group-member-carol');
    expect(screen.getByTestId('group-edit')).toBeTruthy();
    expect(screen.queryByTestId('group-member-actions-alice')).toBeNull();
    expect(screen.queryByTestId('group-member-actions-bob')).toBeNull();
    expect(screen.queryByTestId('group-member-actions-me')).toBeNull();
    expect(screen.getByTestId('group-leave')).toBeTruthy();

    fireEvent.click(screen.getByTestId('group-member-actions-carol'));
    const menu = await screen.findByRole('menu');
    expect(within(menu).getAllByRole('menuitem').map((b) => b.dataset.testid)).toEqual(['menu-mute-1h', 'menu-mute-24h', 'menu-mute-forever', 'menu-kick']);
    fireEvent.click(screen.getByTestId('menu-kick'));
    expect((await screen.findByRole('dialog')).textContent).toContain('Remove Carol?');
    fireEvent.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(screen.queryByTestId('group-member-carol')).toBeNull());
    expect(callsOf(fake, 'group.kick')[0]?.arg).toEqual({ groupId: 'g1', userIds: ['carol'] });
    expect(fake.messagesOf('g:g1').at(-1)?.body).toMatchObject({ event: 'member.kicked', targets: ['carol'] });
  });

  it('cancelling the confirmation kicks nobody', async () => {
    const { fake } = setup({ owner: 'alice', admins: ['me'], members: ['carol'] });
    fireEvent.click(await screen.findByTestId('group-member-actions-carol'));
    fireEvent.click(await screen.findByTestId('menu-kick'));
    fireEvent.click(await screen.findByTestId('confirm-cancel'));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(callsOf(fake, 'group.kick')).toHaveLength(0);
  });

  it('mutes a member for an hour, shows the badge, then offers unmute', async () => {
    const { fake } = setup({ owner: 'alice', admins: ['me'], members: ['carol'] });
    fireEvent.click(await screen.findByTestId('group-member-actions-carol'));
    fireEvent.click(await screen.findByTestId('menu-mute-1h'));
    await screen.findByTestId('group-member-muted-carol');
    const arg = callsOf(fake, 'group.mute')[0]?.arg as { userId: string; untilTs: number };
    expect(arg.userId).toBe('carol');
    expect(arg.untilTs - Date.now()).toBeGreaterThan(3500_000);
    fireEvent.click(screen.getByTestId('group-member-actions-carol'));
    await screen.findByTestId('menu-unmute');
    expect(screen.queryByTestId('menu-mute-1h')).toBeNull();
    fireEvent.click(screen.getByTestId('menu-unmute'));
    await waitFor(() => expect(screen.queryByTestId('group-member-muted-carol')).toBeNull());
  });

  it('approves a join request: the request goes, the member arrives', async () => {
    const { fake } = setup({ owner: 'alice', admins: ['me'], members: [], joinPolicy: 'approval', requests: [{ userId: 'dave', note: 'Hi, it’s Dave' }] });
    const request = await screen.findByTestId('group-request-dave');
    expect(request.textContent).toContain('Hi, it’s Dave');
    fireEvent.click(screen.getByTestId('group-approve-dave'));
    await waitFor(() => expect(screen.queryByTestId('group-request-dave')).toBeNull());
    await screen.findByTestId('group-member-dave');
    expect(callsOf(fake, 'group.approve')[0]?.arg).toEqual({ groupId: 'g1', userId: 'dave' });
  });

  it('rejects a join request', async () => {
    const { fake } = setup({ owner: 'alice', admins: ['me'], members: [], joinPolicy: 'approval', requests: [{ userId: 'dave' }] });
    fireEvent.click(await screen.findByTestId('group-reject-dave'));
    await waitFor(() => expect(screen.queryByTestId('group-request-dave')).toBeNull());
    expect(callsOf(fake, 'group.reject')).toHaveLength(1);
    expect(screen.queryByTestId('group-member-dave')).toBeNull();
  });

  it('shows a live join request as it arrives', async () => {
    const { fake } = setup({ owner: 'alice', admins: ['me'], members: [], joinPolicy: 'approval' });
    await screen.findByTestId('group-member-me');
    fake.emit('group:join-requested', { groupId: 'g1', convId: 'g:g1', userId: 'carol', note: 'me too', ts: 1 });
    expect((await screen.findByTestId('group-request-carol')).textContent).toContain('me too');
  });

  it('edits only what changed', async () => {
    const { fake } = setup({ owner: 'alice', admins: ['me'], members: [], announcement: 'Old news' });
    fireEvent.click(await screen.findByTestId('group-edit'));
    fireEvent.change(screen.getByTestId('group-edit-announcement'), { target: { value: 'Meeting at 10' } });
    fireEvent.click(screen.getByTestId('group-edit-save'));
    await waitFor(() => expect(screen.getByTestId('group-announcement').textContent).toBe('Meeting at 10'));
    expect(callsOf(fake, 'group.update')[0]?.arg).toEqual({ groupId: 'g1', announcement: 'Meeting at 10' });
  });

  it('mutes everyone with the switch', async () => {
    const { fake } = setup({ owner: 'alice', admins: ['me'], members: [] });
    const toggle = (await screen.findByTestId('group-mute-all')) as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    fireEvent.click(toggle);
    await waitFor(() => expect((screen.getByTestId('group-mute-all') as HTMLInputElement).checked).toBe(true));
    const arg = callsOf(fake, 'group.mute')[0]?.arg as { userId?: string; untilTs: number };
    expect(arg.userId).toBeUndefined();
    expect(arg.untilTs).toBeGreaterThan(Date.now());
  });
});

describe('GroupInfoPanel for the owner', () => {
  it('sees dismiss, not leave, and every action on others', async () => {
    setup({ owner: 'me', admins: ['bob'], members: ['carol'] });
    await screen.findByTestId('group-member-carol');
    expect(screen.getByTestId('group-dismiss')).toBeTruthy();
    expect(screen.queryByTestId('group-leave')).toBeNull();
    expect(screen.queryByTestId('group-member-actions-me')).toBeNull();
    fireEvent.click(screen.getByTestId('group-member-actions-bob'));
    const menu = await screen.findByRole('menu');
    expect(within(menu).getAllByRole('menuitem').map((b) => b.dataset.testid)).toEqual([
      'menu-mute-1h', 'menu-mute-24h', 'menu-mute-forever', 'menu-kick', 'menu-remove-admin', 'menu-transfer',
    ]);
    fireEvent.keyDown(menu, { key: 'Escape' });
    fireEvent.click(screen.getByTestId('group-member-actions-carol'));
    await screen.findByTestId('menu-make-admin');
  });

  it('makes a member an admin', async () => {
    const { fake } = setup({ owner: 'me', members: ['carol'] });
    fireEvent.click(await screen.findByTestId('group-member-actions-carol'));
    fireEvent.click(await screen.findByTestId('menu-make-admin'));
    await waitFor(() => expect(row('carol').dataset.role).toBe('admin'));
    expect(callsOf(fake, 'group.setAdmins')[0]?.arg).toEqual({ groupId: 'g1', userIds: ['carol'], admin: true });
  });

  it('transfers ownership after confirming, becoming an admin', async () => {
    const { fake } = setup({ owner: 'me', members: ['carol'] });
    fireEvent.click(await screen.findByTestId('group-member-actions-carol'));
    fireEvent.click(await screen.findByTestId('menu-transfer'));
    fireEvent.click(await screen.findByTestId('confirm-ok'));
    await waitFor(() => expect(row('carol').dataset.role).toBe('owner'));
    expect(row('me').dataset.role).toBe('admin');
    expect(callsOf(fake, 'group.transfer')[0]?.arg).toEqual({ groupId: 'g1', userId: 'carol' });
    expect(screen.getByTestId('group-leave')).toBeTruthy();
    expect(screen.queryByTestId('group-dismiss')).toBeNull();
  });

  it('dismisses after confirming', async () => {
    const { fake } = setup({ owner: 'me', members: ['carol'] });
    fireEvent.click(await screen.findByTestId('group-dismiss'));
    fireEvent.click(await screen.findByTestId('confirm-ok'));
    await screen.findByTestId('group-left-notice');
    expect(fake.messagesOf('g:g1').at(-1)?.body).toMatchObject({ event: 'group.dismissed' });
    await expect(fake.api.group.info({ groupId: 'g1' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('GroupInfoPanel at scale and in 简体中文', () => {
  it('draws at most 200 rows and says how many more there are', async () => {
    const many = Array.from({ length: 450 }, (_, i) => `u${i}`);
    setup({ owner: 'alice', members: ['me', ...many] });
    await screen.findByTestId('group-member-alice');
    expect(screen.getAllByTestId(/^group-member-(alice|me|u\d+)$/)).toHaveLength(200);
    expect(screen.getByTestId('group-members-more').textContent).toContain('252 more members');
    fireEvent.change(screen.getByTestId('group-member-filter'), { target: { value: 'u449' } });
    await screen.findByTestId('group-member-u449');
  });

  it('renders Chinese labels', async () => {
    setup({ owner: 'alice', admins: ['bob'], members: ['me'] }, { language: 'zh-CN' });
    await screen.findByTestId('group-member-bob');
    expect(within(row('alice')).getByText('群主')).toBeTruthy();
    expect(within(row('bob')).getByText('管理员')).toBeTruthy();
    expect(screen.getByTestId('group-leave').textContent).toBe('退出群聊');
    expect(screen.getByTestId('group-announcement').textContent).toBe('暂无群公告');
    expect(screen.getByTestId('group-member-count').textContent).toBe('3 位成员');
  });
});
