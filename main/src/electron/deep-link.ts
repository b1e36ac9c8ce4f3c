/**
 * parley:// links from the OS: `parley://chat/<userId>` opens the private chat with that user. Parsing is
 * pure; the router turns a link into the conversation's id (through the core's conversation.startPrivate)
 * and a `conversation:focus-requested` event, and holds a link that arrives before sign-in until there is a
 * session. On Windows and Linux a link arrives in argv (first launch, or a second instance); on macOS as
 * `open-url`.
 */
import { ID_PATTERN } from '../../../protocol/ids.js';
import { describeError, silentLogger, type Logger } from '../ipc/logger.js';

export const DEEP_LINK_SCHEME = 'parley';

export type DeepLink = { kind: 'chat'; userId: string };

const USER_ID = new RegExp(ID_PATTERN);

export function parseDeepLink(url: string): DeepLink | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== `${DEEP_LINK_SCHEME}:`) return null;
  // parley://chat/alice: host "chat", path "/alice" (a trailing slash is tolerated).
  const segments = parsed.pathname.split('/').filter((s) => s !== '');
  if (parsed.host.toLowerCase() !== 'chat' || segments.length !== 1) return null;
  let userId: string;
  try {
    userId = decodeURIComponent(segments[0]!);
  } catch {
    return null;
  }
  return USER_ID.test(userId) ? { kind: 'chat', userId } : null;
}

/** The link among a process's arguments (Windows and Linux pass it as the last one). */
export function deepLinkFromArgv(argv: readonly string[]): string | null {
  for (let i = argv.length - 1; i >= 0; i--) {
    if (argv[i]!.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}://`)) return argv[i]!;
  }
  return null;
}

export interface DeepLinkRouterOptions {
  /** conversation.startPrivate: the conversation with the user; rejects when not signed in. */
  openChat: (userId: string) => Promise<string>;
  /** Emits conversation:focus-requested and shows the window. */
  focus: (convId: string) => void;
  signedIn: () => boolean;
  log?: Logger;
}

export class DeepLinkRouter {
  private pending: DeepLink | null = null;
  private ready = false;
  private readonly log: Logger;

  constructor(private readonly options: DeepLinkRouterOptions) {
    this.log = options.log ?? silentLogger;
  }

  /** A link from the OS. Invalid ones are ignored (logged without the link's text). */
  handle(url: string): Promise<void> {
    const link = parseDeepLink(url);
    if (!link) {
      this.log.warn({}, 'ignored a parley:// link that is not parley://chat/<userId>');
      return Promise.resolve();
    }
    this.pending = link;
    return this.flush();
  }

  /** The window shows the app (and listens for events): links held until now are acted on. */
  setReady(): Promise<void> {
    this.ready = true;
    return this.flush();
  }

  /** Call when the session changes: a link that arrived before sign-in is acted on after it. */
  sessionChanged(): Promise<void> {
    return this.flush();
  }

  private async flush(): Promise<void> {
    const link = this.pending;
    if (!link || !this.ready || !this.options.signedIn()) return;
    this.pending = null;
    try {
      this.options.focus(await this.options.openChat(link.userId));
    } catch (error) {
      this.log.warn({ err: describeError(error) }, 'could not open the chat of a parley:// link');
    }
  }
}
