/**
 * The notifier's (and tray's) view of the core, kept from the same handlers and events the renderer uses:
 * who is signed in, the settings, every conversation's latest view, and display names (looked up once).
 */
import type { ApiHandlers, CallContext, ConversationView, SessionView, Settings } from '../../../preload/contract.js';
import type { ApiEventSource } from '../ipc/event-bus.js';
import type { NotifierContext } from './notifier.js';
import { ConversationCache } from './unread.js';

export const DEFAULT_SETTINGS: Settings = {
  language: 'system',
  theme: 'system',
  notifications: { enabled: true, sound: true, preview: true },
};

export interface CoreContext extends NotifierContext {
  conversations(): Iterable<ConversationView>;
  /** Called after the conversation views changed (for the badge and tray). */
  onConversationsChanged(listener: () => void): () => void;
  /** Settles when the first snapshot was read. */
  ready: Promise<void>;
  dispose(): void;
}

export interface CoreContextOptions {
  handlers: ApiHandlers;
  events: ApiEventSource;
  systemLocale?: () => string | undefined;
  onError?: (error: unknown) => void;
}

const ctx: CallContext = { transport: 'main', clientId: 'main' };

export function createCoreContext(options: CoreContextOptions): CoreContext {
  const { handlers, events } = options;
  const onError = options.onError ?? (() => {});
  let session: SessionView = { state: 'signed-out' };
  let settings: Settings = DEFAULT_SETTINGS;
  const cache = new ConversationCache();
  const names = new Map<string, string>();
  const lookups = new Map<string, Promise<string | undefined>>();
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

  const reloadConversations = async () => {
    if (session.state !== 'signed-in') {
      cache.replaceAll([]);
    } else {
      cache.replaceAll((await handlers['conversations.list']({}, ctx)).conversations);
    }
    changed();
  };

  const unsubscribe = [
    events.on('session:changed', (next) => {
      const userChanged = next.userId !== session.userId;
      session = next;
      if (userChanged) names.clear();
      reloadConversations().catch(onError);
    }),
    events.on('settings:changed', (next) => {
      settings = next;
    }),
    // A renamed user is named anew in the next notification (names are otherwise looked up once).
    events.on('users:changed', ({ users }) => {
      for (const u of users) names.set(u.userId, u.name);
    }),
    events.on('conversations:changed', (change) => {
      cache.apply(change);
      changed();
    }),
  ];

  const ready = (async () => {
    session = await handlers['session.get']({}, ctx);
    settings = await handlers['settings.get']({}, ctx);
    await reloadConversations();
  })().catch(onError);

  return {
    ready,
    selfId: () => (session.state === 'signed-in' ? session.userId : undefined),
    settings: () => settings,
    conversation: (convId) => cache.get(convId),
    conversations: () => cache.all(),
    systemLocale: () => options.systemLocale?.(),
    userName(userId) {
      const known = names.get(userId);
      if (known !== undefined) return known;
      let lookup = lookups.get(userId);
      if (!lookup) {
        lookup = handlers['users.get']({ userIds: [userId] }, ctx)
          .then(({ users }) => {
            const name = users.find((u) => u.userId === userId)?.name;
            if (name !== undefined) names.set(userId, name);
            return name;
          })
          .catch((error: unknown) => {
            onError(error);
            return undefined;
          })
          .finally(() => lookups.delete(userId));
        lookups.set(userId, lookup);
      }
      return lookup;
    },
    onConversationsChanged(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    dispose() {
      for (const off of unsubscribe) off();
      listeners.clear();
    },
  };
}
