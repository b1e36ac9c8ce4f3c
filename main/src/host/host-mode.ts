/**
 * Host mode, assembled: the core's handlers and events, the dispatcher, the notifier (whose notifications
 * become `notification:requested` events, shown by the page as toasts) and the HTTP + WebSocket server.
 */
import type { ApiHandlers } from '../../../preload/contract.js';
import { createDispatcher } from '../ipc/dispatcher.js';
import type { ApiEventBus } from '../ipc/event-bus.js';
import { describeError, silentLogger, type Logger } from '../ipc/logger.js';
import { createAccountNotifications, type AccountFeed } from '../notify/account-notifications.js';
import { trackOpenConversation } from '../notify/notifier.js';
import { loadHostBridgeScript } from './bridge-bundle.js';
import { startHostServer, type HostServer } from './host-server.js';

export interface HostModeOptions {
  handlers: ApiHandlers;
  events: ApiEventBus;
  /** Every signed-in account (ClientCore.feed): background accounts notify too, named after their account. */
  feed?: AccountFeed;
  /** The built renderer. */
  staticDir: string;
  port?: number;
  secret?: string;
  /** The bridge script; default: bundled from preload/ now. */
  bridgeScript?: string;
  /** The OS locale, for the `system` language setting (default: the process's). */
  systemLocale?: string;
  /** How close messages of one conversation must be to share a notification. */
  coalesceMs?: number;
  log?: Logger;
}

export type HostMode = Omit<HostServer, 'close'> & { close(): Promise<void> };

export async function startHostMode(options: HostModeOptions): Promise<HostMode> {
  const log = options.log ?? silentLogger;
  const onError = (error: unknown) => log.error({ err: describeError(error) }, 'notifier failed');
  const systemLocale = options.systemLocale ?? Intl.DateTimeFormat().resolvedOptions().locale;
  const notifier = createAccountNotifications({
    handlers: options.handlers,
    events: options.events,
    feed: options.feed,
    systemLocale: () => systemLocale,
    windowMs: options.coalesceMs,
    show: (request) => options.events.emit('notification:requested', request),
    onError,
  });
  const dispatcher = createDispatcher(trackOpenConversation(options.handlers, notifier), { log });
  const server = await startHostServer({
    staticDir: options.staticDir,
    dispatcher,
    events: options.events,
    port: options.port,
    secret: options.secret,
    bridgeScript: options.bridgeScript ?? (await loadHostBridgeScript()),
    // A browser tab cannot tell main whether it is in front: a connected page counts as looking, and the
    // page itself decides whether a toast is worth showing.
    onClientCountChange: (count) => notifier.setWindowFocused(count > 0),
    log,
  });
  return {
    ...server,
    async close() {
      notifier.dispose();
      await server.close();
    },
  };
}
