/**
 * Sessions: the account's tokens seen as the devices they were used from. Lists them, revokes them (logout, one
 * other device, every other device, a password change) and ends the live connections of what it revokes.
 */
import { ProtocolError, type DeviceSession, type OpResult } from '../../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { SessionRecord, Storage, TokenDevice, TokenUse } from '../storage/storage.js';
import type { Hub } from './hub.js';

/** Why a revoked connection was closed, as its `session.revoked` event says. */
export const REVOKE_REASONS = {
  logout: 'logged out',
  device: 'signed out from another device',
  password: 'password changed',
} as const;

/** Expired tokens are kept this long before their rows are deleted (a late client still hears "expired"). */
const EXPIRED_KEPT_MS = 24 * 3600_000;

/** Token uses (hello, disconnect) are written together at most this often: one transaction, not one per hello. */
const USE_FLUSH_MS = 1000;

export class Sessions {
  /** Uses not yet written, by token hash (the latest wins; a hello's device is kept until written). */
  private readonly pending = new Map<string, TokenUse>();
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    private readonly hub: Hub,
    private readonly log: Logger,
  ) {}

  /** At hello: the token is now used from this device. */
  opened(tokenHash: string, device: TokenDevice, now = Date.now()): void {
    this.note({ tokenHash, seenAt: now, device });
  }

  /** When a connection ends: its token was last seen now. */
  closed(tokenHash: string, now = Date.now()): void {
    const before = this.pending.get(tokenHash);
    this.note({ tokenHash, seenAt: now, ...(before?.device ? { device: before.device } : {}) });
  }

  /** Writes the pending uses (also before every read of them, and at shutdown). Never throws. */
  flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pending.size === 0) return this.flushing;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.flushing = this.flushing
      .then(() => this.storage.recordTokenUse(batch))
      .catch((error: unknown) => this.log.warn({ err: error, tokens: batch.length }, 'token use not stored'));
    return this.flushing;
  }

  private note(use: TokenUse): void {
    const before = this.pending.get(use.tokenHash);
    this.pending.set(use.tokenHash, before && before.seenAt > use.seenAt ? { ...use, seenAt: before.seenAt } : use);
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => void this.flush(), USE_FLUSH_MS);
      this.flushTimer.unref();
    }
  }

  async list(userId: string, currentTokenHash: string): Promise<OpResult<'devices.list'>> {
    await this.flush();
    const now = Date.now();
    // A token connected to this node right now was last seen now, not at its hello (which may be days ago).
    const connected = new Set([...this.hub.connectionsOf(userId)].map((c) => c.tokenHash));
    const byDevice = new Map<string, DeviceSession>();
    for (const stored of await this.storage.listSessions(userId, now)) {
      const s = connected.has(stored.tokenHash) ? { ...stored, lastSeen: now } : stored;
      if (s.deviceId === null) continue;
      const current = s.tokenHash === currentTokenHash;
      const seen = byDevice.get(s.deviceId);
      if (!seen) {
        byDevice.set(s.deviceId, { deviceId: s.deviceId, platform: s.platform, app: s.app, lastSeen: s.lastSeen, createdAt: s.createdAt, current });
        continue;
      }
      // Several tokens on one device (signed in twice without signing out): one row, the latest use wins.
      if (s.lastSeen > seen.lastSeen) Object.assign(seen, { platform: s.platform, app: s.app, lastSeen: s.lastSeen });
      seen.createdAt = Math.min(seen.createdAt, s.createdAt);
      seen.current ||= current;
    }
    const devices = [...byDevice.values()].sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeen - a.lastSeen);
    return { devices };
  }

  /** Signs out one other device of the user: every live token last used from it. */
  async revokeDevice(userId: string, currentTokenHash: string, deviceId: string): Promise<void> {
    await this.flush();
    const tokens = (await this.storage.listSessions(userId, Date.now())).filter((s) => s.deviceId === deviceId);
    if (tokens.length === 0) throw new ProtocolError('NOT_FOUND', 'no signed-in device with this id');
    if (tokens.some((s) => s.tokenHash === currentTokenHash)) {
      throw new ProtocolError('BAD_REQUEST', 'this is the device asking: sign out (POST /v1/auth/logout) instead');
    }
    await this.revoke(userId, tokens, REVOKE_REASONS.device);
  }

  /** Signs out every other device: every live token of the user but the current one. */
  async revokeOthers(userId: string, currentTokenHash: string): Promise<number> {
    const others = (await this.storage.listSessions(userId, Date.now())).filter((s) => s.tokenHash !== currentTokenHash);
    return this.revoke(userId, others, REVOKE_REASONS.device);
  }

  /** Revokes the token (by hash) and closes its connections. */
  async logout(userId: string, tokenHash: string): Promise<void> {
    const revoked = await this.storage.revokeTokens(userId, [tokenHash]);
    this.hub.revokeTokens(userId, revoked, REVOKE_REASONS.logout);
  }

  /** Stores the new password hash; every other token of the user is revoked and its connections closed. */
  async passwordChanged(userId: string, currentTokenHash: string, passwordHash: string): Promise<void> {
    const revoked = await this.storage.setPassword(userId, passwordHash, currentTokenHash);
    this.hub.revokeTokens(userId, revoked, REVOKE_REASONS.password);
  }

  /** Deletes the rows of revoked tokens and of tokens expired more than a day ago. */
  async prune(now = Date.now()): Promise<number> {
    return this.storage.pruneTokens(now - EXPIRED_KEPT_MS);
  }

  private async revoke(userId: string, sessions: readonly SessionRecord[], reason: string): Promise<number> {
    const revoked = await this.storage.revokeTokens(
      userId,
      sessions.map((s) => s.tokenHash),
    );
    this.hub.revokeTokens(userId, revoked, reason);
    return revoked.length;
  }
}
