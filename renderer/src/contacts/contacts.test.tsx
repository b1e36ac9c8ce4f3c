// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { SessionView, UserView } from '../../../preload/api-types';
import { renderWithModel } from '../testing/render';
import { Sidebar } from '../sidebar/Sidebar';
import { NewChatDialog } from '../sidebar/NewChatDialog';
import { NewGroupDialog } from '../groups/NewGroupDialog';
import { AddContactDialog } from './AddContactDialog';
import { ProfileCard } from './ProfileCard';
import { parseTags } from './ContactNotesForm';
import { useStore } from '../lib/store';
import { useModel } from '../app/model-context';
import { useContactRequestToasts } from './use-contact-request-toasts';

const session: SessionView = { state: 'signed-in', userId: 'me', name: 'Me', serverUrl: 'http://127.0.0.1:8080' };
const noop = () => undefined;
const user = (userId: string, name: string, online = false): UserView => ({ userId, name, online, lastSeen: 0 });
const users = [user('me', 'Me'), user('xm', '王小明', true), user('li', '李雷'), user('han', '韩梅梅'), user('zoe', 'Zoe')];

const callsOf = (fake: { calls: Array<{ method: string; arg: unknown }> }, method: string) => fake.calls.filter((c) => c.method === method);

function sidebar(people = {}) {
  return renderWithModel(<Sidebar session={session} activeId={null} onSearch={noop} onNewChat={noop} onNewGroup={noop} onRooms={noop} onSettings={noop} onProfile={noop} />, {
    users,
    people,
  });
}

describe('the Contacts view', () => {
  it('counts incoming requests on the tab, lists contacts by remark then name, and answers requests', async () => {
    const { fake } = sidebar({
      contacts: [{ userId: 'xm', remark: '小明' }, { userId: 'zoe' }],
      requests: [
        { userId: 'li', direction: 'in', message: '我是李雷' },
        { userId: 'han', direction: 'in' },
        { userId: 'zoe2', direction: 'out' },
      ],
    });
    const badge = await screen.findByTestId('contacts-request-badge');
    expect(badge.textContent).toContain('2');
    expect(badge.textContent).toContain('2 contact requests');

    fireEvent.click(screen.getByTestId('sidebar-tab-contacts'));
    expect(screen.getByTestId('sidebar-tab-contacts').getAttribute('aria-selected')).toBe('true');
    const list = await screen.findByTestId('contacts-list');
    // Online first; the remark is the label and the name follows it.
    expect(within(list).getAllByRole('button').map((b) => b.querySelector('.conv-title')?.textContent)).toEqual(['小明 · 王小明', 'Zoe']);
    expect(within(screen.getByTestId('contact-xm')).getByText('Online')).toBeTruthy();
    expect(within(screen.getByTestId('contacts-incoming')).getByText('我是李雷')).toBeTruthy();
    expect(within(screen.getByTestId('contacts-outgoing')).getByTestId('contact-cancel-zoe2')).toBeTruthy();

    fireEvent.click(screen.getByTestId('contact-accept-li'));
    await waitFor(() => expect(within(screen.getByTestId('contacts-list')).queryByTestId('contact-li')).toBeTruthy());
    expect(screen.getByTestId('contacts-request-badge').textContent).toContain('1');
    fireEvent.click(screen.getByTestId('contact-ignore-han'));
    await waitFor(() => expect(screen.queryByTestId('contacts-incoming')).toBeNull());
    expect(screen.queryByTestId('contacts-request-badge')).toBeNull();
    fireEvent.click(screen.getByTestId('contact-cancel-zoe2'));
    await waitFor(() => expect(screen.queryByTestId('contacts-outgoing')).toBeNull());
    expect(callsOf(fake, 'contacts.accept').map((c) => c.arg)).toEqual([{ userId: 'li' }]);
    expect(callsOf(fake, 'contacts.ignore').map((c) => c.arg)).toEqual([{ userId: 'han' }]);
    expect(callsOf(fake, 'contacts.cancel').map((c) => c.arg)).toEqual([{ userId: 'zoe2' }]);
  });

  it('filters contacts by remark, name, id or tag', async () => {
    sidebar({ contacts: [{ userId: 'xm', remark: '小明', tags: ['同事'] }, { userId: 'zoe' }, { userId: 'li' }] });
    fireEvent.click(await screen.findByTestId('sidebar-tab-contacts'));
    await screen.findByTestId('contacts-list');
    const shown = () => within(screen.getByTestId('contacts-list')).getAllByRole('button').map((b) => b.dataset.testid);
    fireEvent.change(screen.getByTestId('contacts-filter'), { target: { value: '同事' } });
    expect(shown()).toEqual(['contact-xm']);
    fireEvent.change(screen.getByTestId('contacts-filter'), { target: { value: 'ZO' } });
    expect(shown()).toEqual(['contact-zoe']);
    fireEvent.change(screen.getByTestId('contacts-filter'), { target: { value: '李雷' } });
    expect(shown()).toEqual(['contact-li']);
    fireEvent.change(screen.getByTestId('contacts-filter'), { target: { value: 'nobody' } });
    expect(screen.queryByTestId('contacts-list')).toBeNull();
    expect(screen.getByText('No contact matches')).toBeTruthy();
  });

  it('updates live: a request arriving raises the badge', async () => {
    const { fake } = sidebar();
    await screen.findByTestId('sidebar-tab-contacts');
    expect(screen.queryByTestId('contacts-request-badge')).toBeNull();
    fake.people.receiveRequest('li', 'hello');
    expect((await screen.findByTestId('contacts-request-badge')).textContent).toContain('1');
  });

  it('says so on a server without contacts', async () => {
    sidebar({ supported: false });
    fireEvent.click(await screen.findByTestId('sidebar-tab-contacts'));
    expect(await screen.findByTestId('contacts-unsupported')).toBeTruthy();
  });

  it('switches tabs with the arrow keys', async () => {
    sidebar();
    const chats = await screen.findByTestId('sidebar-tab-chats');
    chats.focus();
    fireEvent.keyDown(chats, { key: 'ArrowRight' });
    expect(screen.getByTestId('sidebar-tab-contacts').getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(screen.getByTestId('sidebar-tab-contacts'));
    expect(screen.getByTestId('contacts-panel')).toBeTruthy();
  });
});

describe('adding a contact by search', () => {
  it('finds people by part of a Chinese name as the user types, once per pause, and sends a request with a message', async () => {
    const { fake } = renderWithModel(<AddContactDialog onClose={noop} />, { users, people: {} });
    const box = screen.getByTestId('directory-search');
    fireEvent.change(box, { target: { value: '小' } });
    fireEvent.change(box, { target: { value: '小明' } });
    await screen.findByTestId('directory-user-xm');
    // Debounced: the first keystroke never reached the server.
    expect(callsOf(fake, 'directory.searchUsers').map((c) => (c.arg as { query: string }).query)).toEqual(['小明']);
    expect(screen.queryByTestId('directory-user-li')).toBeNull();

    fireEvent.click(screen.getByTestId('contact-add-xm'));
    fireEvent.change(screen.getByTestId('contact-request-message-xm'), { target: { value: '你好' } });
    fireEvent.click(screen.getByTestId('contact-request-send-xm'));
    await waitFor(() => expect(callsOf(fake, 'contacts.request').map((c) => c.arg)).toEqual([{ userId: 'xm', message: '你好' }]));
    expect(await within(screen.getByTestId('directory-user-xm')).findByText('Requested')).toBeTruthy();
    // The form is gone; focus stays in the dialog, so Esc still closes it.
    await waitFor(() => expect(screen.getByTestId('add-contact-dialog').contains(document.activeElement)).toBe(true));
  });

  it('pages with the cursor, and joins an open public group from the same search', async () => {
    const many = Array.from({ length: 25 }, (_, i) => user(`team${String(i).padStart(2, '0')}`, `Team member ${i}`));
    const { fake } = renderWithModel(<AddContactDialog onClose={noop} />, {
      users: [...users, ...many],
      groups: [{ groupId: 'teamroom', name: 'Team room', owner: 'zoe', members: [], joinPolicy: 'open' }],
      people: { publicGroups: [{ groupId: 'teamroom', name: 'Team room', memberCount: 1, joinPolicy: 'open' }] },
    });
    fireEvent.change(screen.getByTestId('directory-search'), { target: { value: 'team' } });
    await waitFor(() => expect(screen.getAllByTestId(/^directory-user-/)).toHaveLength(20));
    fireEvent.click(screen.getByTestId('directory-more'));
    await waitFor(() => expect(screen.getAllByTestId(/^directory-user-/)).toHaveLength(25));
    expect(screen.queryByTestId('directory-more')).toBeNull();

    fireEvent.click(screen.getByTestId('directory-join-teamroom'));
    await waitFor(() => expect(callsOf(fake, 'group.join').map((c) => c.arg)).toEqual([{ groupId: 'teamroom' }]));
    await waitFor(() => expect(fake.conversation('g:teamroom')).toBeTruthy());
  });

  it('New chat picks a contact or a directory match instead of a typed id', async () => {
    const onStarted = vi.fn();
    const { fake } = renderWithModel(<NewChatDialog selfId="me" onClose={noop} onStarted={onStarted} />, { users, people: { contacts: [{ userId: 'xm', remark: '小明' }] } });
    fireEvent.change(screen.getByTestId('new-chat-user'), { target: { value: '明' } });
    const picks = await screen.findByTestId('people-picks');
    await waitFor(() => expect(within(picks).getAllByRole('button')).toHaveLength(1));
    expect(within(picks).getByTestId('pick-xm').textContent).toContain('Contacts');
    fireEvent.click(within(picks).getByTestId('pick-xm'));
    await waitFor(() => expect(onStarted).toHaveBeenCalledWith('p:me|xm'));
    expect(callsOf(fake, 'conversation.startPrivate').map((c) => c.arg)).toEqual([{ userId: 'xm' }]);
  });
});

describe('a server that delivers private messages between contacts only', () => {
  it('says so in New chat and on a stranger’s card, not on a contact’s', async () => {
    const people = { messaging: 'contacts' as const, contacts: [{ userId: 'xm' }] };
    renderWithModel(<NewChatDialog selfId="me" onClose={noop} onStarted={noop} />, { users, people });
    expect((await screen.findByTestId('new-chat-contacts-only')).textContent).toBe('On this server, private messages reach contacts only.');
  });

  it('notes it on the card of someone who is not a contact', async () => {
    const { model } = renderWithModel(<OpenCard />, { users, people: { messaging: 'contacts' as const, contacts: [{ userId: 'xm' }] } });
    await waitFor(() => expect(model.people.list.get().contacts).toHaveLength(1));
    model.people.openProfile('li');
    expect(await screen.findByTestId('profile-contacts-only')).toBeTruthy();
    model.people.openProfile('xm');
    await waitFor(() => expect(screen.getByTestId('profile-user-id').textContent).toBe('xm'));
    expect(screen.queryByTestId('profile-contacts-only')).toBeNull();
  });
});

describe('New group', () => {
  it('adds members picked from the directory as chips, and still takes typed ids', async () => {
    const { fake } = renderWithModel(<NewGroupDialog selfId="me" onClose={noop} onOpened={noop} />, { users });
    fireEvent.change(screen.getByTestId('group-name-input'), { target: { value: '项目组' } });
    fireEvent.change(screen.getByTestId('group-member-input'), { target: { value: '李' } });
    fireEvent.click(await screen.findByTestId('pick-li'));
    expect(screen.getByTestId('group-member-chip-li').textContent).toContain('李雷');
    fireEvent.change(screen.getByTestId('group-member-input'), { target: { value: 'zoe' } });
    fireEvent.keyDown(screen.getByTestId('group-member-input'), { key: 'Enter' });
    await screen.findByTestId('group-member-chip-zoe');
    fireEvent.click(screen.getByTestId('group-create-submit'));
    await waitFor(() => expect(callsOf(fake, 'groups.create').map((c) => (c.arg as { members: string[] }).members)).toEqual([['li', 'zoe']]));
  });
});

/** The card as Shell shows it: while model.people.profile names someone. */
function OpenCard() {
  const model = useModel();
  const userId = useStore(model.people.profile);
  return userId ? <ProfileCard userId={userId} selfId="me" /> : null;
}

describe('the profile card', () => {
  it('shows who it is with a copyable id, and edits a contact’s remark and tags', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const { fake, model } = renderWithModel(<OpenCard />, { users, people: { contacts: [{ userId: 'xm' }] } });
    await waitFor(() => expect(model.people.list.get().contacts).toHaveLength(1));
    model.people.openProfile('xm');
    const card = await screen.findByTestId('profile-card');
    expect(within(card).getByTestId('profile-name').textContent).toBe('王小明');
    expect(within(card).getByTestId('profile-user-id').textContent).toBe('xm');
    fireEvent.click(within(card).getByRole('button', { name: 'Copy user ID' }));
    expect(writeText).toHaveBeenCalledWith('xm');

    fireEvent.change(within(card).getByTestId('profile-remark'), { target: { value: '小明' } });
    fireEvent.change(within(card).getByTestId('profile-tags'), { target: { value: '同事，朋友, 同事' } });
    fireEvent.click(within(card).getByTestId('profile-notes-save'));
    await waitFor(() => expect(callsOf(fake, 'contacts.update').map((c) => c.arg)).toEqual([{ userId: 'xm', remark: '小明', tags: ['同事', '朋友'] }]));
    await waitFor(() => expect(within(card).getByTestId('profile-name').textContent).toBe('小明'));

    fireEvent.click(within(card).getByTestId('profile-remove'));
    fireEvent.click(within(card).getByTestId('profile-remove-confirm'));
    await waitFor(() => expect(model.people.list.get().contacts).toEqual([]));
    expect(within(card).getByTestId('contact-add-xm')).toBeTruthy();
  });

  it('offers Add to a stranger, Block/Unblock, and Message opens the chat', async () => {
    const { fake, model } = renderWithModel(<OpenCard />, { users });
    await waitFor(() => expect(model.session.get()?.state).toBe('signed-in'));
    model.people.openProfile('li');
    const card = await screen.findByTestId('profile-card');
    expect(within(card).queryByTestId('profile-notes')).toBeNull();
    expect(within(card).getByTestId('contact-add-li')).toBeTruthy();
    fireEvent.click(within(card).getByTestId('profile-block'));
    await waitFor(() => expect(callsOf(fake, 'users.block').map((c) => c.arg)).toEqual([{ userId: 'li' }]));
    expect(within(card).getByTestId('profile-block').textContent).toContain('Unblock');
    fireEvent.click(within(card).getByTestId('profile-message'));
    await waitFor(() => expect(model.navigation.get()?.convId).toBe('p:li|me'));
    expect(model.people.profile.get()).toBeNull();
  });
});

function Toasted() {
  useContactRequestToasts(useModel());
  return null;
}

describe('contact request toasts', () => {
  it('toast a request that arrives, and an acceptance of the user\'s own, while the app is open; not what was pending at start', async () => {
    const { fake, model } = renderWithModel(<Toasted />, { users, people: { requests: [{ userId: 'han', direction: 'in' }] } });
    await waitFor(() => expect(model.people.list.get().requests).toHaveLength(1));
    const infos = () => model.toasts.get().flatMap((t) => (t.kind === 'info' ? [t.text] : []));
    fake.people.receiveRequest('li', 'hi');
    await waitFor(() => expect(infos()).toEqual(['李雷 wants to add you as a contact']));
    await model.api.contacts.request({ userId: 'zoe' });
    fake.people.accepted('zoe');
    await waitFor(() => expect(infos()).toEqual(['李雷 wants to add you as a contact', 'You and Zoe are now contacts']));
  });
});

describe('parseTags', () => {
  it('splits on ASCII, full-width and enumeration commas, dropping blanks and repeats', () => {
    expect(parseTags(' a, b，c、 ,a ')).toEqual(['a', 'b', 'c']);
  });
});
