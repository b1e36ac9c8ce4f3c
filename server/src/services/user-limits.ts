/**
 * Per-user rate limits of every op but `send` (whose limit is per connection, as part 1 says), by op group
 * (docs/protocol.md part 2, "Resource limits"). A user's buckets outlive their connections until they have refilled,
 * so reconnecting does not reset them, and they are dropped then, so memory follows the users recently active.
 */
import type { Op } from '../../../protocol/index.js';
import type { ServerConfig } from '../config.js';
import { TokenBucket } from './rate-limit.js';

export type OpGroup = 'fetch' | 'signal' | 'change';
export const OP_GROUP_NAMES: readonly OpGroup[] = ['fetch', 'signal', 'change'];

/** Every op after `hello` but `send` in its group; a missing op is a compile error. */
export const OP_GROUPS: { [O in Exclude<Op, 'hello' | 'send'>]: OpGroup } = {
  sync: 'fetch',
  history: 'fetch',
  blocks: 'fetch',
  'users.get': 'fetch',
  'group.info': 'fetch',
  'group.members': 'fetch',
  'group.requests': 'fetch',
  'group.readCount': 'fetch',
  'room.list': 'fetch',
  'devices.list': 'fetch',
  'users.search': 'fetch',
  'groups.search': 'fetch',
  'contacts.list': 'fetch',
  'contacts.sync': 'fetch',
  read: 'signal',
  typing: 'signal',
  'conv.update': 'signal',
  recall: 'change',
  block: 'change',
  unblock: 'change',
  'group.create': 'change',
  'group.invite': 'change',
  'group.kick': 'change',
  'group.join': 'change',
  'group.approve': 'change',
  'group.reject': 'change',
  'group.leave': 'change',
  'group.dismiss': 'change',
  'group.update': 'change',
  'group.transfer': 'change',
  'group.admins': 'change',
  'group.mute': 'change',
  'room.join': 'change',
  'room.leave': 'change',
  'devices.revoke': 'change',
  'devices.revokeOthers': 'change',
  'directory.optOut': 'change',
  'contacts.request': 'change',
  'contacts.accept': 'change',
  'contacts.decline': 'change',
  'contacts.ignore': 'change',
  'contacts.cancel': 'change',
  'contacts.remove': 'change',
  'contacts.update': 'change',
  'profile.update': 'change',
};

type LimitsConfig = Pick<ServerConfig, 'fetchRate' | 'fetchBurst' | 'signalRate' | 'signalBurst' | 'changeRate' | 'changeBurst'>;

const SWEEP_MS = 60_000;

export class UserLimits {
  private readonly byUser = new Map<string, Map<OpGroup, TokenBucket>>();
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(
    private readonly config: LimitsConfig,
    private readonly isOnline: (userId: string) => boolean,
  ) {
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  /** The group of an op that is rate-limited per user; null for `hello`, `send` and unknown ops. */
  static groupOf(op: string): OpGroup | null {
    return Object.hasOwn(OP_GROUPS, op) ? OP_GROUPS[op as keyof typeof OP_GROUPS] : null;
  }

  /** Takes a token of the op's group for the user: 0 when allowed, else the milliseconds to wait. */
  take(userId: string, group: OpGroup, now = Date.now()): number {
    let buckets = this.byUser.get(userId);
    if (!buckets) this.byUser.set(userId, (buckets = new Map()));
    let bucket = buckets.get(group);
    if (!bucket) buckets.set(group, (bucket = new TokenBucket(this.config[`${group}Rate`], this.config[`${group}Burst`], now)));
    return bucket.take(now);
  }

  /** Users with buckets (for tests and metrics). */
  get size(): number {
    return this.byUser.size;
  }

  /** Drops the buckets of users without a connection whose buckets are full again (as good as new ones). */
  sweep(now = Date.now()): void {
    for (const [userId, buckets] of this.byUser) {
      if (this.isOnline(userId)) continue;
      if ([...buckets.values()].every((b) => b.isFull(now))) this.byUser.delete(userId);
    }
  }

  dispose(): void {
    clearInterval(this.sweepTimer);
  }
}
