/**
 * Notifications and the badge for every signed-in account, the background ones included. Each account has its
 * own view (core-context.ts, over its own handlers and events) and its own notifier, so a message to an account
 * the window does not show is still notified, named after its account, and counted in the badge; only the
 * active account's notifier is told which conversation is on screen.
 *
 * Without a feed (a host given only a handler table, as in tests with fake handlers) it is one notifier over
 * the window's handlers and events, as before several accounts.
 */
import type { ApiEventName, ApiHandlers, ConversationView, NotificationRequest, Settings } from '../../../preload/contract.js';
import type { ApiEventSource } from '../ipc/event-bus.js';
import { createCoreContext, type CoreContext } from './core-context.js';
import { connectNotifier, createNotifier, type Notifier } from './notifier.js';

/** One signed-in account as the notifications see it. */
export interface AccountFeedEntry {
  key: string;
  /** How a notification names the account (its name; its key where two share a name). */
  label: string;
  /** Handlers acting on this account, active or not. */
  handlers: ApiHandlers;
  /** This account's own events, whether or not the window is told them. */
  events: ApiEventSource;
}

/** The core's signed-in accounts (ClientCore.feed). */
export interface AccountFeed {
  accounts(): AccountFeedEntry[];
  activeKey(): string | null;
}

export interface AccountNotificationsOptions {
  /** The window's handler table and events (the active account's, and the app's own). */
  handlers: ApiHandlers;
  events: ApiEventSource;
  feed?: AccountFeed;
  show(request: NotificationRequest): void;
  systemLocale?: () => string | undefined;
  windowMs?: number;
  onError?: (error: unknown) => void;
}

export interface AccountNotifications {
  /** Settles when the first snapshot of every account was read. */
  ready: Promise<void>;
  settings(): Settings;
  /** The active account's user, if any is signed in. */
  selfId(): string | undefined;
  /** Every signed-in account's conversations: the badge counts them all. */
  conversations(): Iterable<ConversationView>;
  onConversationsChanged(listener: () => void): () => void;
  setWindowFocused(focused: boolean): void;
  /** The conversation the window shows (of the active account). */
  setOpenConversation(convId: string | null): void;
  dispose(): void;
}

/** Events of the app itself, not of an account: an account's view hears them from the window's events. */
const APP_EVENTS: ReadonlySet<ApiEventName> = new Set(['settings:changed']);

function accountSource(own: ApiEventSource, app: ApiEventSource): ApiEventSource {
  return {
    on: (event, listener) => (APP_EVENTS.has(event) ? app : own).on(event, listener),
    onAny: (listener) => own.onAny(listener),
  };
}

interface Watched {
  /** The account's own events: another object after the account signed in again (a new token). */
  own: ApiEventSource | undefined;
  context: CoreContext;
  notifier: Notifier;
  offs: Array<() => void>;
}

export function createAccountNotifications(options: AccountNotificationsOptions): AccountNotifications {
  const { feed } = options;
  const onError = options.onError ?? (() => {});
  // The window's view: settings and who is active (and, without a feed, the one account's conversations).
  const base = createCoreContext({ handlers: options.handlers, events: options.events, systemLocale: options.systemLocale, onError });
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch (error) {
        onError(error);
      }
    }
  };
  let focused = false;
  let openConvId: string | null = null;
  let lastActive: string | null | undefined;
  const watched = new Map<string | undefined, Watched>();

  const watch = (key: string | undefined, context: CoreContext, events: ApiEventSource, own: ApiEventSource | undefined, label: () => string | undefined): Watched => {
    const notifier = createNotifier({
      context,
      windowMs: options.windowMs,
      onError,
      show: (request) => {
        const name = label();
        options.show(key === undefined ? request : { ...request, accountKey: key, title: name ? `${request.title} · ${name}` : request.title });
      },
    });
    notifier.setWindowFocused(focused);
    const offs = [connectNotifier(events, notifier), context.onConversationsChanged(changed)];
    return { own, context, notifier, offs };
  };

  const unwatch = (key: string | undefined) => {
    const w = watched.get(key);
    if (!w) return;
    watched.delete(key);
    for (const off of w.offs) off();
    w.notifier.dispose();
    if (w.context !== base) w.context.dispose();
  };

  /** Follows the feed: a view and a notifier for each signed-in account; what is on screen only for the active one. */
  const sync = () => {
    if (!feed) return;
    const entries = feed.accounts();
    const current = new Map(entries.map((e) => [e.key, e.events]));
    for (const [key, w] of [...watched]) if (key === undefined || current.get(key) !== w.own) unwatch(key);
    // Named only when there is more than one to tell apart.
    const labelOf = (key: string) => (feed.accounts().length > 1 ? feed.accounts().find((e) => e.key === key)?.label : undefined);
    for (const entry of entries) {
      if (watched.has(entry.key)) continue;
      const events = accountSource(entry.events, options.events);
      const context = createCoreContext({ handlers: entry.handlers, events, systemLocale: options.systemLocale, onError });
      watched.set(entry.key, watch(entry.key, context, events, entry.events, () => labelOf(entry.key)));
    }
    const active = feed.activeKey();
    // Another account shown: the conversation open before was the previous account's (the window says the new one).
    if (active !== lastActive) openConvId = null;
    lastActive = active;
    for (const [key, w] of watched) w.notifier.setOpenConversation(key === active ? openConvId : null);
    changed();
  };

  let offFeed: Array<() => void> = [];
  if (feed) {
    offFeed = [options.events.on('accounts:changed', sync), options.events.on('session:changed', sync)];
    sync();
  } else {
    watched.set(undefined, watch(undefined, base, options.events, undefined, () => undefined));
  }

  return {
    ready: (async () => {
      await base.ready;
      await Promise.all([...watched.values()].map((w) => w.context.ready));
    })(),
    settings: () => base.settings(),
    selfId: () => base.selfId(),
    *conversations() {
      for (const w of watched.values()) yield* w.context.conversations();
    },
    onConversationsChanged(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    setWindowFocused(next) {
      focused = next;
      for (const w of watched.values()) w.notifier.setWindowFocused(next);
    },
    setOpenConversation(convId) {
      openConvId = convId;
      const active = feed ? feed.activeKey() : undefined;
      watched.get(active ?? undefined)?.notifier.setOpenConversation(convId);
    },
    dispose() {
      for (const off of offFeed) off();
      for (const key of [...watched.keys()]) unwatch(key);
      base.dispose();
      listeners.clear();
    },
  };
}
