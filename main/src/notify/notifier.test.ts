import { describe, expect, it, vi } from 'vitest';
import type { ConversationView, NotificationRequest, Settings } from '../../../preload/contract.js';
import { createEventBus } from '../ipc/event-bus.js';
import { fakeHandlers } from '../ipc/fake-handlers.js';
import { createCoreContext, DEFAULT_SETTINGS } from './core-context.js';
import { connectNotifier, createNotifier, trackOpenConversation, type NotifierContext } from './notifier.js';
import { conversation, fakeClock, textMessage } from './test-fixtures.js';

const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(options: { settings?: Settings; conversations?: ConversationView[]; names?: Record<string, string> } = {}) {
  const { clock, advance } = fakeClock();
  const convs = new Map((options.conversations ?? [conversation()]).map((c) => [c.convId, c]));
  const context: NotifierContext = {
    selfId: () => 'alice',
    conversation: (id) => convs.get(id),
    settings: () => options.settings ?? DEFAULT_SETTINGS,
    userName: async (id) => options.names?.[id] ?? (id === 'bob' ? 'Bob' : undefined),
    systemLocale: () => 'en-US',
  };
  const shown: NotificationRequest[] = [];
  const notifier = createNotifier({ context, clock, windowMs: 1000, show: (n) => shown.push(n) });
  return { notifier, shown, advance };
}

describe('notifier', () => {
  it('shows the first message, then one summary for the burst', async () => {
    const { notifier, shown, advance } = setup();
    notifier.onMessage(textMessage({ seq: 6, text: 'one' }));
    notifier.onMessage(textMessage({ seq: 7, text: 'two' }));
    notifier.onMessage(textMessage({ seq: 8, text: 'three' }));
    await flush();
    expect(shown.map((n) => n.body)).toEqual(['Bob: one']);
    advance(1000);
    await flush();
    expect(shown.map((n) => n.body)).toEqual(['Bob: one', '3 new messages from Bob']);
    expect(shown.every((n) => n.tag === 'g:team')).toBe(true);
  });

  it('stays quiet for the conversation on screen and drops what it held when it is opened', async () => {
    const { notifier, shown, advance } = setup();
    notifier.setWindowFocused(true);
    notifier.setOpenConversation('g:team');
    notifier.onMessage(textMessage({ seq: 6 }));
    await flush();
    expect(shown).toEqual([]);
    notifier.setOpenConversation(null);
    notifier.onMessage(textMessage({ seq: 7 }));
    notifier.onMessage(textMessage({ seq: 8 }));
    notifier.setOpenConversation('g:team');
    advance(5000);
    await flush();
    expect(shown).toHaveLength(1);
  });

  it('respects preview, sound and enabled', async () => {
    const quiet = setup({ settings: { ...DEFAULT_SETTINGS, notifications: { enabled: true, sound: false, preview: false } } });
    quiet.notifier.onMessage(textMessage({ text: 'secret plans' }));
    await flush();
    expect(quiet.shown[0]).toMatchObject({ body: 'New message from Bob', silent: true });
    expect(JSON.stringify(quiet.shown)).not.toContain('secret plans');
    const off = setup({ settings: { ...DEFAULT_SETTINGS, notifications: { enabled: false, sound: true, preview: true } } });
    off.notifier.onMessage(textMessage());
    await flush();
    expect(off.shown).toEqual([]);
  });

  it('uses the user id when no name is known, and the language setting', async () => {
    const { notifier, shown } = setup({ settings: { ...DEFAULT_SETTINGS, language: 'zh-CN' } });
    notifier.onMessage(textMessage({ from: 'dave', mentions: ['@all'] }));
    await flush();
    expect(shown[0]?.body).toBe('[有人@我] dave: hello');
  });
});

describe('notifier wiring', () => {
  it('follows events and conversation.open, from the same handlers the renderer uses', async () => {
    const events = createEventBus();
    const open = vi.fn(async () => {});
    const handlers = fakeHandlers({
      'session.get': async () => ({ state: 'signed-in', userId: 'alice' }),
      'settings.get': async () => DEFAULT_SETTINGS,
      'conversations.list': async () => ({ conversations: [conversation({ muted: true })] }),
      'users.get': async () => ({ users: [{ userId: 'bob', name: 'Bobby', online: true, lastSeen: 0 }] }),
      'conversation.open': open,
    });
    const context = createCoreContext({ handlers, events });
    await context.ready;
    const shown: NotificationRequest[] = [];
    const notifier = createNotifier({ context, show: (n) => shown.push(n) });
    const disconnect = connectNotifier(events, notifier);
    const wrapped = trackOpenConversation(handlers, notifier);

    events.emit('message:added', { message: textMessage({ seq: 6 }) });
    await flush();
    expect(shown).toEqual([]); // muted

    events.emit('conversations:changed', { conversations: [conversation({ muted: false })], removed: [] });
    events.emit('message:added', { message: textMessage({ seq: 7 }) });
    await vi.waitFor(() => expect(shown.map((n) => n.body)).toEqual(['Bobby: hello']));

    notifier.setWindowFocused(true);
    await wrapped['conversation.open']({ convId: 'g:team' }, { transport: 'host', clientId: 'x' });
    expect(open).toHaveBeenCalledOnce();
    events.emit('message:added', { message: textMessage({ seq: 8 }) });
    await flush();
    expect(shown).toHaveLength(1);

    events.emit('session:changed', { state: 'signed-out' });
    await flush();
    expect(context.selfId()).toBeUndefined();
    expect([...context.conversations()]).toEqual([]);
    disconnect();
    notifier.dispose();
    context.dispose();
  });
});

describe('names in notifications', () => {
  it('follow a user who renamed themselves (users:changed), without asking again', async () => {
    const events = createEventBus();
    const usersGet = vi.fn(async () => ({ users: [{ userId: 'bob', name: 'Bobby', online: true, lastSeen: 0 }] }));
    const handlers = fakeHandlers({
      'session.get': async () => ({ state: 'signed-in', userId: 'alice' }),
      'settings.get': async () => DEFAULT_SETTINGS,
      'conversations.list': async () => ({ conversations: [] }),
      'users.get': usersGet,
    });
    const context = createCoreContext({ handlers, events });
    await context.ready;
    expect(await context.userName('bob')).toBe('Bobby');
    events.emit('users:changed', { users: [{ userId: 'bob', name: 'Bob Li', online: true, lastSeen: 0 }] });
    expect(await context.userName('bob')).toBe('Bob Li');
    expect(usersGet).toHaveBeenCalledOnce();
    context.dispose();
  });
});
