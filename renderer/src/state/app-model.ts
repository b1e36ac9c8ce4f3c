/**
 * The renderer's long-lived state, outside React: what main told us (session, settings, connection, the
 * server's limits, conversations, users, typing, upload progress) plus UI-wide things (toasts, the open conversation).
 * Each piece is a small store; `start()` subscribes to `window.api` events and loads the first values.
 * Whenever the session changes (or the bridge reconnected and says so), everything is fetched again.
 */
import type {
  AccountView,
  Api,
  ConnectionView,
  ConversationView,
  GroupInfo,
  GroupMemberView,
  LimitsView,
  NotificationRequest,
  ProfileView,
  SessionView,
  Settings,
  UserView,
} from '../../../preload/api-types';
import { DEFAULT_LIMITS, parseConvId } from '../../../protocol/pure.js';
import { AvatarImages } from '../lib/avatar-images';
import { ContactsModel } from '../contacts/contacts-model';
import { FileCache } from '../lib/file-cache';
import { createStore, type Store } from '../lib/store';

export type Toast =
  | { id: number; kind: 'notification'; request: NotificationRequest }
  /** `text` is already translated; an error without text is translated by the view (errorText). */
  | { id: number; kind: 'error'; error: unknown; text?: string }
  | { id: number; kind: 'info'; text: string };

export interface NavigationTarget {
  convId: string;
  /** Open scrolled to this message and highlight it briefly (a search hit, a quoted message). */
  seq?: number;
  /** Distinguishes two requests for the same place. */
  nonce: number;
}

export interface UploadProgress {
  sentBytes: number;
  totalBytes: number;
}

export const DEFAULT_SETTINGS: Settings = {
  language: 'system',
  theme: 'system',
  notifications: { enabled: true, sound: true, preview: true },
};

/** What the UI follows until main says (the protocol's defaults, as main reports them before the first hello). */
export const DEFAULT_LIMITS_VIEW: LimitsView = { ...DEFAULT_LIMITS, announced: false };

const USER_BATCH = 100;
/** group.members pages while loading a whole member list (3,000 members at most by default). */
const MEMBER_PAGE = 500;

/** What the group screens know of one group: fetched on demand, again after each membership or settings change. */
export interface GroupState {
  info: GroupInfo | null;
  members: readonly GroupMemberView[];
  /** Set when the last load failed (e.g. FORBIDDEN after being removed). */
  error?: unknown;
  loadedAt: number;
}

export interface JoinRequestView {
  userId: string;
  note: string;
  ts: number;
}

export class AppModel {
  readonly session: Store<SessionView | null> = createStore<SessionView | null>(null);
  /** Every signed-in account (the switcher): which one is active, unread counts, connection states. */
  readonly accounts: Store<readonly AccountView[]> = createStore<readonly AccountView[]>([]);
  /** The sign-in screen is open over the app to add another account. */
  readonly addingAccount: Store<boolean> = createStore(false);
  readonly settings: Store<Settings> = createStore(DEFAULT_SETTINGS);
  readonly connection: Store<ConnectionView> = createStore<ConnectionView>({ state: 'connecting', queued: 0 });
  /** The signed-in user's server's limits (recall window, text length, group size): what the UI may offer. */
  readonly limits: Store<LimitsView> = createStore<LimitsView>(DEFAULT_LIMITS_VIEW);
  readonly conversations: Store<{ byId: ReadonlyMap<string, ConversationView>; loaded: boolean }> = createStore<{
    byId: ReadonlyMap<string, ConversationView>;
    loaded: boolean;
  }>({ byId: new Map(), loaded: false });
  readonly users: Store<ReadonlyMap<string, UserView>> = createStore<ReadonlyMap<string, UserView>>(new Map());
  readonly typing: Store<ReadonlyMap<string, readonly string[]>> = createStore<ReadonlyMap<string, readonly string[]>>(new Map());
  readonly uploads: Store<ReadonlyMap<string, UploadProgress>> = createStore<ReadonlyMap<string, UploadProgress>>(new Map());
  readonly blocked: Store<ReadonlySet<string>> = createStore<ReadonlySet<string>>(new Set());
  readonly toasts: Store<readonly Toast[]> = createStore<readonly Toast[]>([]);
  /** Drafts as typed, per conversation; main gets them debounced (conversation.setDraft). */
  readonly drafts: Store<ReadonlyMap<string, string>> = createStore<ReadonlyMap<string, string>>(new Map());
  /** Local previews (blob: URLs) of images being sent, by clientMsgId, until the upload is readable. */
  readonly localPreviews: Store<ReadonlyMap<string, string>> = createStore<ReadonlyMap<string, string>>(new Map());
  readonly navigation: Store<NavigationTarget | null> = createStore<NavigationTarget | null>(null);
  /** Groups by groupId, as loaded by `loadGroup` (the info panel, @mention autocomplete, read counts). */
  readonly groups: Store<ReadonlyMap<string, GroupState>> = createStore<ReadonlyMap<string, GroupState>>(new Map());
  /** Pending join requests by groupId (for the owner and admins): from group.requests and live events. */
  readonly joinRequests: Store<ReadonlyMap<string, readonly JoinRequestView[]>> = createStore<ReadonlyMap<string, readonly JoinRequestView[]>>(new Map());
  /** The signed-in user's own profile (name, status line, avatar); null until main answered. */
  readonly profile: Store<ProfileView | null> = createStore<ProfileView | null>(null);
  /** Bumped on every session change; views that hold fetched data reload when it moves. */
  readonly epoch: Store<number> = createStore(0);

  private unsubscribers: Array<() => void> = [];
  private nextToastId = 1;
  private nextNonce = 1;
  private requestedUsers = new Set<string>();
  private userQueue = new Set<string>();
  private userTimer: ReturnType<typeof setTimeout> | undefined;
  private toastTimers = new Map<number, ReturnType<typeof setTimeout>>();
  /** Bumped by every limits:changed, so an answer to an older server.limits does not overwrite a newer event. */
  private limitsVersion = 0;

  readonly files: FileCache;
  readonly avatars: AvatarImages;
  /** Contacts, requests and the open profile card. */
  readonly people: ContactsModel;

  constructor(readonly api: Api) {
    this.files = new FileCache(api);
    this.avatars = new AvatarImages(api);
    this.people = new ContactsModel(api);
  }

  start(): void {
    const { api } = this;
    this.unsubscribers.push(
      this.people.start(),
      api.on('session:changed', (session) => this.applySession(session)),
      api.on('connection:changed', (c) => this.connection.set(c)),
      api.on('accounts:changed', ({ accounts }) => this.accounts.set(accounts)),
      api.on('limits:changed', (limits) => {
        this.limitsVersion += 1;
        this.limits.set(limits);
      }),
      api.on('settings:changed', (s) => this.settings.set(s)),
      api.on('conversations:changed', ({ conversations, removed }) => this.applyConversations(conversations, removed)),
      api.on('typing:changed', ({ convId, userIds }) => {
        this.typing.set((prev) => {
          const next = new Map(prev);
          if (userIds.length === 0) next.delete(convId);
          else next.set(convId, userIds);
          return next;
        });
        this.ensureUsers(userIds);
      }),
      api.on('presence:changed', ({ userId, online, lastSeen }) => {
        const known = this.users.get().get(userId);
        if (!known) return;
        this.users.set((prev) => new Map(prev).set(userId, { ...known, online, lastSeen }));
      }),
      api.on('users:changed', ({ users }) => this.applyUsers(users)),
      api.on('profile:changed', (profile) => {
        if (profile.userId === this.session.get()?.userId) this.profile.set(profile);
      }),
      api.on('upload:progress', ({ clientMsgId, sentBytes, totalBytes }) => {
        this.uploads.set((prev) => {
          const next = new Map(prev);
          if (sentBytes >= totalBytes) next.delete(clientMsgId);
          else next.set(clientMsgId, { sentBytes, totalBytes });
          return next;
        });
      }),
      api.on('notification:requested', (request) => this.showNotification(request)),
      api.on('conversation:focus-requested', ({ convId }) => this.navigate(convId)),
      api.on('group:join-requested', ({ groupId, userId, note, ts }) => {
        this.joinRequests.set((prev) => {
          const list = (prev.get(groupId) ?? []).filter((r) => r.userId !== userId);
          return new Map(prev).set(groupId, [...list, { userId, note, ts }]);
        });
        this.ensureUsers([userId]);
      }),
      // A membership or settings change is a system entry: groups on screen reload (debounced per group).
      api.on('message:added', ({ message }) => {
        const parsed = message.kind === 'system' ? parseConvId(message.convId) : null;
        if (parsed?.kind === 'group' && this.groups.get().has(parsed.groupId)) this.reloadGroupSoon(parsed.groupId);
      }),
    );
    void this.loadSession();
    void this.loadAccounts();
    void this.loadSettings();
    void this.loadLimits();
  }

  stop(): void {
    for (const off of this.unsubscribers) off();
    this.unsubscribers = [];
    clearTimeout(this.userTimer);
    for (const timer of this.reloadTimers.values()) clearTimeout(timer);
    this.reloadTimers.clear();
    for (const timer of this.toastTimers.values()) clearTimeout(timer);
    this.toastTimers.clear();
  }

  // --- session -------------------------------------------------------------------------------------------

  async loadSession(): Promise<void> {
    try {
      this.applySession(await this.api.session.get());
    } catch {
      // Main not reachable yet: show the sign-in screen rather than a blank window; session:changed follows.
      if (this.session.get() === null) this.session.set({ state: 'signed-out' });
    }
  }

  applySession(session: SessionView): void {
    const prev = this.session.get();
    const sameUser = prev?.state === session.state && prev.userId === session.userId && prev.serverUrl === session.serverUrl;
    this.session.set(session);
    if (!sameUser) {
      this.conversations.set({ byId: new Map(), loaded: false });
      this.users.set(new Map());
      this.typing.set(new Map());
      this.requestedUsers.clear();
      this.drafts.set(new Map());
      this.groups.set(new Map());
      this.joinRequests.set(new Map());
      this.files.clear();
      this.avatars.clear();
      this.profile.set(null);
      this.people.reset();
      this.navigation.set(null);
      this.limits.set(DEFAULT_LIMITS_VIEW);
    }
    this.epoch.set((n) => n + 1);
    void this.loadLimits();
    void this.loadAccounts();
    if (session.state !== 'signed-in') this.addingAccount.set(false);
    if (session.state === 'signed-in') {
      void this.loadConversations();
      void this.loadConnection();
      void this.loadSettings();
      void this.loadBlocked();
      void this.people.load();
      void this.loadProfile();
    }
  }

  async loadProfile(): Promise<void> {
    try {
      const profile = await this.api.profile.get();
      if (profile.userId === this.session.get()?.userId) this.profile.set(profile);
    } catch {
      // The session's name and the initials stand in; profile:changed brings it later.
    }
  }

  async loadAccounts(): Promise<void> {
    try {
      this.accounts.set((await this.api.accounts.list()).accounts);
    } catch {
      // accounts:changed brings them.
    }
  }

  /** Shows another signed-in account: everything of the window is fetched again for it. */
  async switchAccount(key: string): Promise<boolean> {
    if (this.accounts.get().find((a) => a.key === key)?.active) {
      this.addingAccount.set(false);
      return true;
    }
    try {
      const session = await this.api.accounts.switch({ key });
      this.addingAccount.set(false);
      // session:changed follows too (possibly later, over another channel); applying the answer now is the same.
      if (this.session.get()?.userId !== session.userId || this.session.get()?.serverUrl !== session.serverUrl) this.applySession(session);
      return true;
    } catch (error) {
      this.pushError(error);
      return false;
    }
  }

  /** The n-th account of the switcher (1-based), for Ctrl/Cmd+Shift+n. */
  async switchToNth(n: number): Promise<void> {
    const account = this.accounts.get()[n - 1];
    if (account) await this.switchAccount(account.key);
  }

  /** A notification was clicked: its account first (when it is another), then its conversation. */
  async openNotified(request: NotificationRequest): Promise<void> {
    if (request.accountKey && !(await this.switchAccount(request.accountKey))) return;
    this.navigate(request.convId);
  }

  async loadSettings(): Promise<void> {
    try {
      this.settings.set(await this.api.settings.get());
    } catch {
      // Defaults stay; settings:changed will bring the real ones.
    }
  }

  async loadLimits(): Promise<void> {
    const version = this.limitsVersion;
    try {
      const limits = await this.api.server.limits();
      if (version === this.limitsVersion) this.limits.set(limits);
    } catch {
      // The defaults (or what was known) stay; limits:changed brings the server's.
    }
  }

  private async loadConnection(): Promise<void> {
    try {
      this.connection.set(await this.api.connection.get());
    } catch {
      // connection:changed will follow.
    }
  }

  private async loadBlocked(): Promise<void> {
    try {
      const { userIds } = await this.api.users.blocked();
      this.blocked.set(new Set(userIds));
    } catch {
      // Not essential: the block button shows "Block" until it is known.
    }
  }

  async loadConversations(): Promise<void> {
    try {
      const { conversations } = await this.api.conversations.list();
      const byId = new Map<string, ConversationView>();
      for (const c of conversations) byId.set(c.convId, c);
      this.conversations.set({ byId, loaded: true });
    } catch (error) {
      this.conversations.set((prev) => ({ ...prev, loaded: true }));
      this.pushError(error);
    }
  }

  applyConversations(changed: readonly ConversationView[], removed: readonly string[]): void {
    this.conversations.set((prev) => {
      const byId = new Map(prev.byId);
      for (const c of changed) byId.set(c.convId, c);
      for (const id of removed) byId.delete(id);
      return { byId, loaded: prev.loaded };
    });
    const open = this.navigation.get();
    if (open && removed.includes(open.convId)) this.navigation.set(null);
  }

  /** Optimistic local change (pin, mute, read) until main's conversations:changed confirms it. */
  patchConversation(convId: string, patch: Partial<ConversationView>): void {
    const c = this.conversations.get().byId.get(convId);
    if (c) this.applyConversations([{ ...c, ...patch }], []);
  }

  setDraft(convId: string, text: string): void {
    this.drafts.set((prev) => new Map(prev).set(convId, text));
  }

  draftOf(convId: string): string {
    return this.drafts.get().get(convId) ?? this.conversations.get().byId.get(convId)?.draft ?? '';
  }

  addLocalPreview(clientMsgId: string, url: string): void {
    this.localPreviews.set((prev) => new Map(prev).set(clientMsgId, url));
  }

  // --- groups --------------------------------------------------------------------------------------------

  /** Loads (or reloads) a group's info and whole member list; the result lands in `groups`. */
  async loadGroup(groupId: string): Promise<GroupState> {
    try {
      const info = await this.api.group.info({ groupId });
      const members: GroupMemberView[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.api.group.members(cursor ? { groupId, limit: MEMBER_PAGE, cursor } : { groupId, limit: MEMBER_PAGE });
        members.push(...page.members);
        cursor = page.cursor;
      } while (cursor);
      const state: GroupState = { info, members, loadedAt: Date.now() };
      this.groups.set((prev) => new Map(prev).set(groupId, state));
      this.ensureUsers(members.slice(0, 200).map((m) => m.userId));
      return state;
    } catch (error) {
      const prev = this.groups.get().get(groupId);
      const state: GroupState = { info: prev?.info ?? null, members: prev?.members ?? [], error, loadedAt: Date.now() };
      this.groups.set((all) => new Map(all).set(groupId, state));
      return state;
    }
  }

  private reloadTimers = new Map<string, ReturnType<typeof setTimeout>>();

  private reloadGroupSoon(groupId: string): void {
    if (this.reloadTimers.has(groupId)) return;
    this.reloadTimers.set(
      groupId,
      setTimeout(() => {
        this.reloadTimers.delete(groupId);
        void this.loadGroup(groupId);
      }, 150),
    );
  }

  /** Loads the pending join requests of a group the user administers. */
  async loadJoinRequests(groupId: string): Promise<void> {
    try {
      const { requests } = await this.api.group.requests({ groupId });
      this.joinRequests.set((prev) => new Map(prev).set(groupId, requests));
      this.ensureUsers(requests.map((r) => r.userId));
    } catch {
      // Not an admin (FORBIDDEN) or offline: nothing to show.
    }
  }

  /** A request was approved or rejected (here or by another admin): it is no longer pending. */
  dropJoinRequest(groupId: string, userId: string): void {
    this.joinRequests.set((prev) => new Map(prev).set(groupId, (prev.get(groupId) ?? []).filter((r) => r.userId !== userId)));
  }

  // --- users ---------------------------------------------------------------------------------------------

  /** Asks main for users we don't know yet, batched, each id at most once per session. */
  ensureUsers(userIds: Iterable<string>): void {
    let added = false;
    for (const id of userIds) {
      if (!id || this.requestedUsers.has(id)) continue;
      this.requestedUsers.add(id);
      this.userQueue.add(id);
      added = true;
    }
    if (added && this.userTimer === undefined) {
      this.userTimer = setTimeout(() => {
        this.userTimer = undefined;
        void this.fetchUsers();
      }, 0);
    }
  }

  /** Fetches these users again now (a chat was opened: show current presence). */
  async refreshUsers(userIds: readonly string[]): Promise<void> {
    for (const id of userIds) this.requestedUsers.add(id);
    await this.fetchBatch(userIds);
  }

  private async fetchUsers(): Promise<void> {
    const ids = [...this.userQueue];
    this.userQueue.clear();
    for (let i = 0; i < ids.length; i += USER_BATCH) await this.fetchBatch(ids.slice(i, i + USER_BATCH));
  }

  private async fetchBatch(userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    try {
      const { users } = await this.api.users.get({ userIds: [...userIds] });
      this.applyUsers(users);
    } catch {
      // Names fall back to ids; try again next time they are needed.
      for (const id of userIds) this.requestedUsers.delete(id);
    }
  }

  /** Replaces what is known of these users (an answer of users.get, or a profile changed). */
  applyUsers(users: readonly UserView[]): void {
    if (users.length === 0) return;
    this.users.set((prev) => {
      const next = new Map(prev);
      for (const u of users) next.set(u.userId, u);
      return next;
    });
  }

  displayName(userId: string): string {
    return this.users.get().get(userId)?.name || userId;
  }

  // --- navigation and toasts -----------------------------------------------------------------------------

  navigate(convId: string | null, seq?: number): void {
    if (convId === null) {
      this.navigation.set(null);
      return;
    }
    const target: NavigationTarget = { convId, nonce: this.nextNonce++ };
    if (seq !== undefined) target.seq = seq;
    this.navigation.set(target);
  }

  private showNotification(request: NotificationRequest): void {
    const toasts = this.toasts.get();
    // One per conversation of each account (two accounts may share a group).
    const existing = toasts.find((t) => t.kind === 'notification' && t.request.tag === request.tag && t.request.accountKey === request.accountKey);
    const id = this.nextToastId++;
    const toast: Toast = { id, kind: 'notification', request };
    this.toasts.set([...toasts.filter((t) => t !== existing), toast].slice(-4));
    if (existing) this.clearTimer(existing.id);
    this.scheduleDismiss(id, 6000);
  }

  pushError(error: unknown, text?: string): void {
    const id = this.nextToastId++;
    const toast: Toast = text === undefined ? { id, kind: 'error', error } : { id, kind: 'error', error, text };
    this.toasts.set((prev) => [...prev, toast].slice(-4));
    this.scheduleDismiss(id, 7000);
  }

  pushInfo(text: string): void {
    const id = this.nextToastId++;
    this.toasts.set((prev) => [...prev, { id, kind: 'info', text } as Toast].slice(-4));
    this.scheduleDismiss(id, 2500);
  }

  dismissToast(id: number): void {
    this.clearTimer(id);
    this.toasts.set((prev) => prev.filter((t) => t.id !== id));
  }

  /** Hovering or focusing a toast keeps it; leaving restarts its timer. */
  holdToast(id: number, hold: boolean): void {
    this.clearTimer(id);
    if (!hold) this.scheduleDismiss(id, 4000);
  }

  private scheduleDismiss(id: number, ms: number): void {
    this.toastTimers.set(id, setTimeout(() => this.dismissToast(id), ms));
  }

  private clearTimer(id: number): void {
    clearTimeout(this.toastTimers.get(id));
    this.toastTimers.delete(id);
  }
}
