import { describe, expect, it, vi } from 'vitest';
import type { ApiHandlers, ConversationView, NotificationRequest } from '../../../preload/contract.js';
import { createEventBus, type ApiEventBus } from '../ipc/event-bus.js';
import { fakeHandlers } from '../ipc/fake-handlers.js';
import { createAccountNotifications, type AccountFeedEntry } from './account-notifications.js';
import { DEFAULT_SETTINGS } from './core-context.js';
import { unreadSummary } from './unread.js';
import { conversation, textMessage } from './test-fixtures.js';

/** One account of a fake feed: its own events and handlers over its conversations. */
function account(key: string, userId: string, label: string, conversations: ConversationView[]): AccountFeedEntry & { bus: ApiEventBus } {
  const bus = createEventBus();
  const handlers: ApiHandlers = fakeHandlers({
    'session.get': async () => ({ state: 'signed-in', userId }),
    'settings.get': async () => DEFAULT_SETTINGS,
    'conversations.list': async () => ({ conversations }),
    'users.get': async () => ({ users: [{ userId: 'carol', name: 'Carol', online: true, lastSeen: 0 }] }),
  });
  return { key, label, handlers, events: bus, bus };
}

describe('notifications of several accounts', () => {
  it('name the account when there are several, honour what is on screen for the active one only, and count every account', async () => {
    const alice = account('alice@x', 'alice', 'Alice', [conversation({ convId: 'g:team', unread: 2, readSeq: 5 })]);
    const bob = account('bob@x', 'bob', 'Bob', [conversation({ convId: 'g:team', unread: 3, readSeq: 5 })]);
    let entries = [alice];
    let active = 'alice@x';
    const events = createEventBus();
    const windowHandlers = fakeHandlers({ 'session.get': async () => ({ state: 'signed-in', userId: 'alice' }), 'settings.get': async () => DEFAULT_SETTINGS, 'conversations.list': async () => ({ conversations: [] }) });
    const shown: NotificationRequest[] = [];
    const n = createAccountNotifications({ handlers: windowHandlers, events, feed: { accounts: () => entries, activeKey: () => active }, windowMs: 1, show: (r) => shown.push(r) });
    await n.ready;
    n.setWindowFocused(true);
    n.setOpenConversation('g:team');

    // One account: no name added; its conversation is on screen, so nothing.
    alice.bus.emit('message:added', { message: textMessage({ seq: 6, from: 'carol', text: 'on screen' }) });
    alice.bus.emit('message:added', { message: textMessage({ convId: 'g:other', seq: 1, from: 'carol', text: 'one account' }) });
    await vi.waitFor(() => expect(shown).toHaveLength(1));
    expect(shown[0]).toMatchObject({ accountKey: 'alice@x', title: 'g:other', body: 'Carol: one account' });

    // A second account: the same conversation id is not on screen there; notifications are named.
    entries = [alice, bob];
    events.emit('accounts:changed', { accounts: [] });
    await vi.waitFor(() => expect(unreadSummary(n.conversations()).total).toBe(5));
    bob.bus.emit('message:added', { message: textMessage({ seq: 6, from: 'carol', text: 'for bob' }) });
    await vi.waitFor(() => expect(shown).toHaveLength(2));
    expect(shown[1]).toMatchObject({ accountKey: 'bob@x', title: 'Team · Bob', body: 'Carol: for bob' });

    // Switching to Bob: what was open was Alice's; Alice's g:team now notifies, Bob's waits for the window to say.
    active = 'bob@x';
    events.emit('session:changed', { state: 'signed-in', userId: 'bob' });
    alice.bus.emit('message:added', { message: textMessage({ seq: 7, from: 'carol', text: 'alice again' }) });
    await vi.waitFor(() => expect(shown).toHaveLength(3));
    expect(shown[2]).toMatchObject({ accountKey: 'alice@x', title: 'Team · Alice' });
    bob.bus.emit('message:added', { message: textMessage({ seq: 7, from: 'carol', text: 'bob team' }) });
    await vi.waitFor(() => expect(shown).toHaveLength(4));
    expect(shown[3]).toMatchObject({ accountKey: 'bob@x', title: 'Team · Bob' });
    // Until the window says it shows Bob's g:team.
    n.setOpenConversation('g:team');
    bob.bus.emit('message:added', { message: textMessage({ seq: 8, from: 'carol', text: 'seen' }) });

    // Signed out of Alice: her notifier goes, her conversations leave the badge.
    entries = [bob];
    events.emit('accounts:changed', { accounts: [] });
    expect(unreadSummary(n.conversations()).total).toBe(3);
    alice.bus.emit('message:added', { message: textMessage({ seq: 8, from: 'carol', text: 'nobody listens' }) });
    bob.bus.emit('message:added', { message: textMessage({ convId: 'g:other', seq: 1, from: 'carol', text: 'bob still hears' }) });
    await vi.waitFor(() => expect(shown).toHaveLength(5));
    // One account left: named no more; nothing of the conversation on screen, nothing of the account signed out.
    expect(shown.map((r) => r.body)).toEqual(['Carol: one account', 'Carol: for bob', 'Carol: alice again', 'Carol: bob team', 'Carol: bob still hears']);
    expect(shown[4]).toMatchObject({ accountKey: 'bob@x', title: 'g:other' });
    n.dispose();
  });
});
