/** Builders of views for the notify tests. Not used by the app. */
import type { ConversationView, MessageView } from '../../../preload/contract.js';
import type { Clock } from './coalescer.js';

export function textMessage(overrides: Partial<MessageView> & { text?: string } = {}): MessageView {
  const { text = 'hello', ...rest } = overrides;
  return {
    convId: 'g:team',
    seq: 10,
    clientMsgId: 'c10',
    from: 'bob',
    ts: 1,
    kind: 'text',
    body: { text },
    status: 'sent',
    recalled: false,
    edited: false,
    ...rest,
  } as MessageView;
}

export function conversation(overrides: Partial<ConversationView> = {}): ConversationView {
  return {
    convId: 'g:team',
    kind: 'group',
    title: 'Team',
    lastSeq: 10,
    readSeq: 5,
    unread: 5,
    mentioned: false,
    muted: false,
    pinned: false,
    updatedAt: 1,
    lastMessage: null,
    draft: '',
    ...overrides,
  };
}

/** A clock whose timers run only when the test advances it. */
export function fakeClock() {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let nextId = 1;
  const clock: Clock = {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout(handle) {
      timers = timers.filter((t) => t.id !== handle);
    },
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      now = due.at;
      due.fn();
    }
    now = until;
  };
  return { clock, advance, pending: () => timers.length };
}

