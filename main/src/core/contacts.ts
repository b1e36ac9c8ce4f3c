/**
 * The account's contacts (docs/protocol.md part 2, "Contacts"): the local copy follows the server's contact log,
 * entry by entry in seq order. Live `contact` events are applied as they come; one that skips a seq, each
 * (re)connect, and each change made here make it read the log from the last seq it holds (`contacts.sync`,
 * page after page). The renderer gets the whole list in `contacts:changed`; offline it is answered from the copy.
 */
import { ProtocolError, type ServerEvent, type UserInfo } from '../../../protocol/index.js';
import type { ContactView, ContactsView, ContactRequestView } from '../../../preload/contract.js';
import type { ApiEventBus } from '../ipc/event-bus.js';
import { describeError, silentLogger, type Logger } from '../ipc/logger.js';
import type { ContactsRepo } from '../store/contacts-repo.js';
import type { ServerConnection } from './server-connection.js';

/** Entries asked for per `contacts.sync` page (the protocol's most). */
const SYNC_PAGE = 500;
/** Users per `users.get` (the protocol's most). */
const USERS_PAGE = 100;

export interface ContactsOptions {
  conn: ServerConnection;
  repo: ContactsRepo;
  events: ApiEventBus;
  log?: Logger;
}

/** An older server answers an op it does not know with BAD_REQUEST: it has no contacts. */
function unknownOp(error: unknown): boolean {
  return error instanceof ProtocolError && error.code === 'BAD_REQUEST';
}

export class Contacts {
  private readonly log: Logger;
  /** False once the server said it has no contacts ops (until the next connection, which may be to a newer one). */
  private supported = true;
  private running: Promise<void> | null = null;
  private rerun = false;
  /** The next read of the log fetches every listed profile again (a new connection: names and presence may have moved). */
  private refreshProfiles = true;

  constructor(private readonly options: ContactsOptions) {
    this.log = options.log ?? silentLogger;
  }

  view(): ContactsView {
    const { contacts, requests } = this.options.repo.snapshot();
    const users = this.options.repo.users();
    const profile = (userId: string) => users.get(userId) ?? { userId, name: userId, online: false, lastSeen: 0 };
    return {
      supported: this.supported,
      messaging: this.options.conn.messaging,
      contacts: contacts.map((c): ContactView => {
        const u = profile(c.userId);
        const view: ContactView = { ...c, name: u.name, online: u.online, lastSeen: u.lastSeen };
        if (u.avatar !== undefined) view.avatar = u.avatar;
        if (u.status !== undefined) view.status = u.status;
        return view;
      }),
      requests: requests.map((r): ContactRequestView => {
        const u = profile(r.userId);
        const view: ContactRequestView = { ...r, name: u.name };
        if (u.avatar !== undefined) view.avatar = u.avatar;
        return view;
      }),
    };
  }

  /** Handles the server pushes that concern contacts; others are ignored. Never throws: the account's own handling follows. */
  onServerEvent(e: ServerEvent): void {
    try {
      this.apply(e);
    } catch (error) {
      this.log.error({ err: describeError(error), ev: e.ev }, 'contact event not applied');
    }
  }

  private apply(e: ServerEvent): void {
    const { repo } = this.options;
    switch (e.ev) {
      case 'contact': {
        const { applied, gap } = repo.apply([e.body]);
        if (gap) this.catchUp();
        if (applied === 0) break;
        // The profile first: someone new is shown by name rather than id, and a new contact may now see presence.
        void this.learnUsers([e.body.userId]).then(() => this.emit());
        break;
      }
      case 'presence':
        if (repo.setPresence(e.body.userId, e.body.online, e.body.lastSeen)) this.emit();
        break;
      case 'profile': {
        const known = repo.users().get(e.body.userId);
        if (!known) break;
        const user: UserInfo = { userId: known.userId, name: e.body.name, online: known.online, lastSeen: known.lastSeen };
        if (e.body.avatar !== undefined) user.avatar = e.body.avatar;
        if (e.body.status !== undefined) user.status = e.body.status;
        repo.rememberUsers([user]);
        this.emit();
        break;
      }
      default:
        break;
    }
  }

  /** Brings the copy up to the server's log; one run at a time (a call meanwhile runs it once more after). */
  catchUp(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    const run = (async () => {
      do {
        this.rerun = false;
        await this.readLog();
      } while (this.rerun && this.options.conn.online);
    })()
      .catch((error: unknown) => this.log.warn({ err: describeError(error) }, 'contacts not caught up'))
      .finally(() => {
        this.running = null;
      });
    this.running = run;
    return run;
  }

  /** The connection is new: the server may be another version, so whether it has contacts is asked again. */
  online(): Promise<void> {
    this.supported = true;
    this.refreshProfiles = true;
    // The hello may have brought another messaging policy.
    this.emit();
    return this.catchUp();
  }

  /** Runs a contacts op, then reads the log so the change is held (and shown) when the call returns. */
  async change<T>(send: () => Promise<T>): Promise<T> {
    const answer = await send();
    await this.catchUp();
    return answer;
  }

  private async readLog(): Promise<void> {
    const { conn, repo } = this.options;
    const before = JSON.stringify(this.view());
    try {
      if (repo.lastSeq() === 0) await this.readList();
      for (;;) {
        const page = await conn.request('contacts.sync', { afterSeq: repo.lastSeq(), limit: SYNC_PAGE });
        // The server's log does not continue ours (its data was replaced): start again from its list.
        if (page.lastSeq < repo.lastSeq() || repo.apply(page.entries).gap) {
          await this.readList();
          break;
        }
        if (!page.more) break;
      }
    } catch (error) {
      if (!unknownOp(error)) throw error;
      this.supported = false;
    }
    if (this.supported) {
      // After a (re)connect every listed profile is fetched again; otherwise only people not known yet, so a change
      // made here does not cost a fetch of everyone's.
      const known = this.refreshProfiles ? new Map() : repo.users();
      this.refreshProfiles = false;
      await this.learnUsers(this.listedIds().filter((id) => !known.has(id)));
    }
    if (JSON.stringify(this.view()) !== before) this.emit();
  }

  private async readList(): Promise<void> {
    const { contacts, requests, lastSeq } = await this.options.conn.request('contacts.list', {});
    this.options.repo.replace({ contacts, requests, lastSeq });
  }

  private listedIds(): string[] {
    const { contacts, requests } = this.options.repo.snapshot();
    return [...new Set([...contacts.map((c) => c.userId), ...requests.map((r) => r.userId)])];
  }

  /** Fetches the profiles (and presence) of these users into the copy. */
  private async learnUsers(userIds: readonly string[]): Promise<void> {
    try {
      for (let i = 0; i < userIds.length; i += USERS_PAGE) {
        const { users } = await this.options.conn.request('users.get', { userIds: userIds.slice(i, i + USERS_PAGE) });
        this.options.repo.rememberUsers(users);
      }
    } catch (error) {
      // Names fall back to ids until the next catch-up.
      this.log.debug({ err: describeError(error) }, 'contacts\' profiles not fetched');
    }
  }

  private emit(): void {
    this.options.events.emit('contacts:changed', this.view());
  }
}
