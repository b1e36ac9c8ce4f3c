/**
 * Groups in memory: each group's settings and active members, loaded from storage once and kept until the
 * group changes. A message to a 3,000-member group is checked and fanned out from here, never with a query
 * per recipient.
 */
import { ROLE_RANK, groupConvId, isManager } from '../../../protocol/index.js';
import type { Bus } from '../bus/bus.js';
import type { GroupMemberRecord, GroupRecord, GroupRole, Storage } from '../storage/storage.js';

export interface GroupMember {
  readonly userId: string;
  readonly role: GroupRole;
  readonly mutedUntil: number;
}

/** A snapshot of one group; never mutated (a change replaces it). */
export class GroupState {
  readonly convId: string;
  readonly members: ReadonlyMap<string, GroupMember>;
  /** Active members, for fan-out. */
  readonly memberIds: readonly string[];
  readonly owner: string;
  readonly admins: readonly string[];
  private sortedMembers: GroupMember[] | null = null;

  constructor(
    readonly group: GroupRecord,
    members: readonly GroupMemberRecord[],
  ) {
    this.convId = groupConvId(group.groupId);
    this.members = new Map(members.map((m) => [m.userId, m]));
    this.memberIds = members.map((m) => m.userId);
    this.owner = members.find((m) => m.role === 'owner')?.userId ?? '';
    this.admins = members
      .filter((m) => m.role === 'admin')
      .map((m) => m.userId)
      .sort();
  }

  get groupId(): string {
    return this.group.groupId;
  }

  get dismissed(): boolean {
    return this.group.dismissedAt > 0;
  }

  role(userId: string): GroupRole | null {
    return this.members.get(userId)?.role ?? null;
  }

  /** The owner or an admin. */
  isManager(userId: string): boolean {
    return isManager(this.role(userId));
  }

  mutedAll(now: number): boolean {
    return this.group.mutedAllUntil > now;
  }

  /** Members in the order `group.members` lists them: the owner, then admins, then members, each by user id. */
  sorted(): readonly GroupMember[] {
    this.sortedMembers ??= [...this.members.values()].sort(
      (a, b) => ROLE_RANK[a.role] - ROLE_RANK[b.role] || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0),
    );
    return this.sortedMembers;
  }

  /** The `group.members` cursor that continues after `m`. */
  static cursorOf(m: GroupMember): string {
    return `${ROLE_RANK[m.role]}:${m.userId}`;
  }

  /** Index of the first member after `cursor` in `sorted()`. */
  indexAfter(cursor: string): number {
    const colon = cursor.indexOf(':');
    const rank = Number(cursor.slice(0, colon));
    const userId = cursor.slice(colon + 1);
    const list = this.sorted();
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = list[mid]!;
      const r = ROLE_RANK[m.role];
      const after = r > rank || (r === rank && m.userId > userId);
      if (after) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

interface CacheEntry {
  readonly state: Promise<GroupState | null>;
  /** Members held (known once loaded), the unit the cache is bounded in. */
  weight: number;
}

export class GroupCache {
  /** Least recently used first (a Map keeps insertion order; a hit re-inserts). */
  private readonly entries = new Map<string, CacheEntry>();
  private weight = 0;
  private readonly unsubscribe: () => void;

  /** @param maxMembers members held over all cached groups (≈100 bytes each) before the least recently used go. */
  constructor(
    private readonly storage: Storage,
    private readonly bus: Bus,
    private readonly maxMembers = 1_000_000,
  ) {
    this.unsubscribe = bus.subscribe((m) => {
      if (m.type === 'group.changed') this.drop(m.groupId);
    });
  }

  /** The group as stored (null when it never existed; dismissed groups are returned, marked). */
  get(groupId: string): Promise<GroupState | null> {
    let entry = this.entries.get(groupId);
    if (entry) {
      this.entries.delete(groupId);
      this.entries.set(groupId, entry);
      return entry.state;
    }
    const state = this.storage.loadGroup(groupId).then((loaded) => (loaded ? new GroupState(loaded.group, loaded.members) : null));
    entry = { state, weight: 0 };
    const created = entry;
    this.entries.set(groupId, created);
    state.then(
      (g) => {
        if (this.entries.get(groupId) !== created) return; // dropped meanwhile
        created.weight = 1 + (g?.members.size ?? 0);
        this.weight += created.weight;
        this.evict(groupId);
      },
      // A failed load must not stay cached.
      () => {
        if (this.entries.get(groupId) === created) this.entries.delete(groupId);
      },
    );
    return state;
  }

  /** Drops the group here and on every other node; call after each committed change. */
  invalidate(groupId: string): void {
    this.drop(groupId);
    this.bus.publish({ type: 'group.changed', groupId });
  }

  dispose(): void {
    this.unsubscribe();
  }

  private drop(groupId: string): void {
    const entry = this.entries.get(groupId);
    if (!entry) return;
    this.entries.delete(groupId);
    this.weight -= entry.weight;
  }

  private evict(keep: string): void {
    for (const id of this.entries.keys()) {
      if (this.weight <= this.maxMembers) return;
      if (id !== keep) this.drop(id);
    }
  }
}
