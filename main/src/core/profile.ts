/**
 * The signed-in user's profile and everyone's avatars, for one account: the user's own name, status line and
 * avatar (read from the server at each connection, changed through profile.update and the avatar endpoints), and
 * the server's `profile` events, which rename private chats, refresh what the window knows of that user and, for
 * the user's own, follow a change made on another device.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { ProtocolError, privateConvId, type AvatarSizeName, type OpRequest, type UserInfo } from '../../../protocol/index.js';
import type { AvatarImage, ProfileView } from '../../../preload/contract.js';
import type { ApiEventBus } from '../ipc/event-bus.js';
import { describeError, type Logger } from '../ipc/logger.js';
import type { Store } from '../store/store.js';
import { AvatarCache } from './avatar-cache.js';
import { avatarSource, fetchAvatar, removeAvatar, uploadAvatar } from './avatar-http.js';
import { NoAnswerError, type ServerConnection } from './server-connection.js';

export interface AccountProfileOptions {
  userId: string;
  serverUrl: string;
  token: string;
  /** The name known before the server answers (the session's). */
  name: string;
  /** The account's directory: the avatar cache lives in it. */
  dir: string;
  conn: ServerConnection;
  store: Store;
  events: ApiEventBus;
  log: Logger;
  /** Tells the window that these conversations changed (a private chat renamed). */
  emitConversations(convIds: readonly string[]): void;
  avatarCacheMaxBytes?: number;
}

/** Administrators' avatar URLs remembered from the server's answers (the most recent this many). */
const MAX_KNOWN_URLS = 5000;

export interface AccountProfileEvents {
  /** The user's own profile changed (their name, say, which the session shows). */
  own: [ProfileView];
}

export class AccountProfile extends EventEmitter<AccountProfileEvents> {
  readonly avatars: AvatarCache;
  private own: ProfileView;
  /**
   * Absolute avatar URLs the server named. The window may only have those fetched: it is untrusted, and main would
   * otherwise fetch any http(s) address for it, the user's local network included.
   */
  private readonly knownUrls = new Set<string>();

  constructor(private readonly options: AccountProfileOptions) {
    super();
    this.own = { userId: options.userId, name: options.name, status: '' };
    const { serverUrl, token } = options;
    this.avatars = new AvatarCache(
      path.join(options.dir, 'avatar-cache'),
      (avatar, size) => fetchAvatar({ serverUrl, token, avatar, size }),
      options.avatarCacheMaxBytes,
    );
    options.conn.on('state', (state) => {
      // Each connection reads the profile again: signing in knows only the user id, and another device may have
      // changed the profile while this one was offline.
      if (state.state === 'online') void this.refresh().catch((error: unknown) => this.options.log.debug({ err: describeError(error) }, 'profile not read'));
    });
    options.conn.on('event', (e) => {
      if (e.ev === 'profile') this.onProfile(e.body);
    });
  }

  /** What is known now, without asking the server. */
  view(): ProfileView {
    return { ...this.own };
  }

  /** The server's record when it answers, else the last one known. */
  async get(): Promise<ProfileView> {
    if (!this.options.conn.online) return this.view();
    try {
      await this.refresh();
    } catch (error) {
      if (!(error instanceof NoAnswerError)) throw error;
    }
    return this.view();
  }

  async update(patch: OpRequest<'profile.update'>): Promise<ProfileView> {
    if (patch.name === undefined && patch.status === undefined) throw new ProtocolError('BAD_REQUEST', 'nothing to change');
    await this.options.conn.request('profile.update', patch);
    const next = { ...this.own };
    if (patch.name !== undefined) next.name = patch.name;
    if (patch.status !== undefined) next.status = patch.status;
    this.setOwn(next);
    return this.view();
  }

  async setAvatar(data: Uint8Array, mime: string, crop?: { x: number; y: number; size: number }): Promise<ProfileView> {
    const { serverUrl, token } = this.options;
    const { avatar } = await uploadAvatar({ serverUrl, token, data, mime, crop });
    this.setOwn({ ...this.own, avatar });
    return this.view();
  }

  async removeAvatar(): Promise<ProfileView> {
    await removeAvatar(this.options.serverUrl, this.options.token);
    const { avatar: _gone, ...rest } = this.own;
    this.setOwn(rest);
    return this.view();
  }

  readAvatar(avatar: string, size: AvatarSizeName): Promise<AvatarImage> {
    const source = avatarSource(avatar);
    if (!source) throw new ProtocolError('BAD_REQUEST', 'not an avatar this app can load');
    if (source.kind === 'remote' && !this.knownUrls.has(avatar)) throw new ProtocolError('NOT_FOUND', 'no user has this avatar');
    return this.avatars.read(avatar, size);
  }

  /** Remembers the avatars of users as the server described them (users.get, the directory, profile events). */
  noteUsers(users: ReadonlyArray<{ avatar?: string }>): void {
    for (const { avatar } of users) {
      if (!avatar || avatar.startsWith('/')) continue;
      this.knownUrls.delete(avatar);
      this.knownUrls.add(avatar);
      if (this.knownUrls.size > MAX_KNOWN_URLS) this.knownUrls.delete(this.knownUrls.values().next().value as string);
    }
  }

  private async refresh(): Promise<void> {
    const { users } = await this.options.conn.request('users.get', { userIds: [this.options.userId] });
    this.noteUsers(users);
    const me = users.find((u) => u.userId === this.options.userId);
    if (me) this.setOwn(profileOf(me));
  }

  private setOwn(next: ProfileView): void {
    const before = this.own;
    this.own = next;
    if (before.name === next.name && before.avatar === next.avatar && before.status === next.status) return;
    this.options.events.emit('profile:changed', this.view());
    this.emit('own', this.view());
  }

  /** Someone (perhaps the user, on another device) changed their profile. */
  private onProfile(body: { userId: string; name: string; avatar?: string; status?: string }): void {
    const { userId, store } = this.options;
    this.noteUsers([body]);
    if (body.userId === userId) {
      this.setOwn(profileOf(body));
    } else {
      const convId = privateConvId(userId, body.userId);
      const conversation = store.getConversation(convId);
      if (conversation && conversation.title !== body.name) {
        store.updateConversation(convId, { title: body.name });
        this.options.emitConversations([convId]);
      }
    }
    void this.announce(body);
  }

  /**
   * The event has no presence: the window gets the user as `users.get` answers, which also has what the event
   * said. Without an answer it keeps what it knew until it asks again.
   */
  private async announce(body: { userId: string }): Promise<void> {
    try {
      const { users } = await this.options.conn.request('users.get', { userIds: [body.userId] });
      if (users.length > 0) this.options.events.emit('users:changed', { users });
    } catch (error) {
      this.options.log.debug({ err: describeError(error) }, 'changed profile not read');
    }
  }
}

function profileOf(user: Pick<UserInfo, 'userId' | 'name' | 'avatar' | 'status'>): ProfileView {
  const view: ProfileView = { userId: user.userId, name: user.name, status: user.status ?? '' };
  if (user.avatar) view.avatar = user.avatar;
  return view;
}
