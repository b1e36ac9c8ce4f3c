/**
 * The notification pipeline: message → policy → per-conversation coalescer → text → `show`. Stateful glue
 * around the pure parts; the host (Electron or host mode) decides what `show` does.
 */
import type {
  ApiHandlers,
  ConversationView,
  MessageView,
  NotificationRequest,
  Settings,
} from '../../../preload/contract.js';
import { bindHandlers } from '../ipc/bind-handlers.js';
import type { ApiEventSource } from '../ipc/event-bus.js';
import { createCoalescer, type Clock } from './coalescer.js';
import { formatNotification, resolveLocale } from './format.js';
import { decideNotification, type ViewState } from './policy.js';

export interface NotifierContext {
  selfId(): string | undefined;
  conversation(convId: string): ConversationView | undefined;
  settings(): Settings;
  /** A display name; may need a lookup, hence the promise. */
  userName(userId: string): Promise<string | undefined> | string | undefined;
  /** The OS locale, for the `system` language setting. */
  systemLocale(): string | undefined;
}

export interface NotifierOptions {
  context: NotifierContext;
  show(request: NotificationRequest): void;
  /** Messages of one conversation closer than this are shown together. */
  windowMs?: number;
  clock?: Clock;
  onError?(error: unknown): void;
}

export interface Notifier {
  onMessage(message: MessageView): void;
  setWindowFocused(focused: boolean): void;
  setOpenConversation(convId: string | null): void;
  /** Drops what is held for the conversation (read here or on another device). */
  clear(convId: string): void;
  dispose(): void;
}

interface Held {
  message: MessageView;
  mentioned: boolean;
}

export const DEFAULT_COALESCE_MS = 3000;

export function createNotifier(options: NotifierOptions): Notifier {
  const { context } = options;
  const view: ViewState = { windowFocused: false, openConvId: null };
  // Name lookups are async: a slower, older flush must not replace a newer notification.
  const flushCount = new Map<string, number>();

  const flush = async (convId: string, items: Held[], total: number) => {
    const n = (flushCount.get(convId) ?? 0) + 1;
    flushCount.set(convId, n);
    const settings = context.settings();
    // Senders, and whom the latest message mentions (its text shows them by name).
    const latest = items[items.length - 1]?.message;
    const senders = [...new Set([...items.map((i) => i.message.from), ...(latest?.mentions ?? []).filter((id) => id !== '@all')])];
    const names = new Map<string, string>();
    await Promise.all(
      senders.map(async (id) => {
        names.set(id, (await context.userName(id)) ?? id);
      }),
    );
    if (flushCount.get(convId) !== n || !settings.notifications.enabled) return;
    const conversation = context.conversation(convId);
    options.show(
      formatNotification({
        convId,
        conversationTitle: conversation?.title ?? convId,
        conversationKind: conversation?.kind ?? (convId.startsWith('g:') ? 'group' : convId.startsWith('r:') ? 'room' : 'private'),
        messages: items.map((i) => i.message),
        total,
        mentioned: items.some((i) => i.mentioned),
        preview: settings.notifications.preview,
        sound: settings.notifications.sound,
        locale: resolveLocale(settings.language, context.systemLocale()),
        senderName: (id) => names.get(id) ?? id,
      }),
    );
  };

  const coalescer = createCoalescer<Held>({
    windowMs: options.windowMs ?? DEFAULT_COALESCE_MS,
    clock: options.clock,
    flush: (burst) => {
      flush(burst.key, burst.items, burst.total).catch((error: unknown) => options.onError?.(error));
    },
  });

  const clearIfOnScreen = () => {
    if (view.windowFocused && view.openConvId !== null) coalescer.clear(view.openConvId);
  };

  return {
    onMessage(message) {
      const decision = decideNotification({
        message,
        selfId: context.selfId(),
        conversation: context.conversation(message.convId),
        view,
        settings: context.settings().notifications,
      });
      if (decision.notify) coalescer.add(message.convId, { message, mentioned: decision.mentioned });
    },
    setWindowFocused(focused) {
      view.windowFocused = focused;
      clearIfOnScreen();
    },
    setOpenConversation(convId) {
      view.openConvId = convId;
      clearIfOnScreen();
    },
    clear(convId) {
      coalescer.clear(convId);
    },
    dispose() {
      coalescer.dispose();
    },
  };
}

/** Feeds the notifier from main's events; returns the unsubscribe function. */
export function connectNotifier(events: ApiEventSource, notifier: Notifier): () => void {
  const offs = [
    events.on('message:added', ({ message }) => notifier.onMessage(message)),
    events.on('conversations:changed', ({ conversations, removed }) => {
      for (const c of conversations) if (c.unread === 0) notifier.clear(c.convId);
      for (const id of removed) notifier.clear(id);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/** The handler table with `conversation.open` also telling the notifier what is on screen. */
export function trackOpenConversation(handlers: ApiHandlers, notifier: Pick<Notifier, 'setOpenConversation'>): ApiHandlers {
  return {
    ...bindHandlers(handlers),
    'conversation.open': async (arg, ctx) => {
      await handlers['conversation.open'](arg, ctx);
      notifier.setOpenConversation(arg.convId);
    },
  };
}
