/**
 * Opaque bearer tokens. Only their SHA-256 is stored, so a leaked database does not leak sessions;
 * being rows, they survive restarts and can be revoked.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ProtocolError } from '../../../protocol/index.js';
import type { Storage } from '../storage/storage.js';

const TOKEN_RE = /^pt_[A-Za-z0-9_-]{43}$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class TokenService {
  constructor(
    private readonly storage: Storage,
    private readonly defaultTtlSeconds: number,
  ) {}

  async issue(userId: string, ttlSeconds = this.defaultTtlSeconds, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
    const token = `pt_${randomBytes(32).toString('base64url')}`;
    const expiresAt = now + ttlSeconds * 1000;
    await this.storage.insertToken(hashToken(token), userId, now, expiresAt);
    return { token, expiresAt };
  }

  /** The user a token belongs to; UNAUTHENTICATED when it is malformed, unknown, expired, revoked or banned. */
  async verify(token: unknown, now = Date.now()): Promise<string> {
    return (await this.authenticate(token, now)).userId;
  }

  /** As verify, with the token's hash: the key under which the session can be listed and revoked. */
  async authenticate(token: unknown, now = Date.now()): Promise<{ userId: string; tokenHash: string }> {
    if (typeof token !== 'string' || !TOKEN_RE.test(token)) throw new ProtocolError('UNAUTHENTICATED', 'malformed token');
    const tokenHash = hashToken(token);
    const record = await this.storage.getToken(tokenHash);
    if (!record) throw new ProtocolError('UNAUTHENTICATED', 'unknown token');
    if (record.revoked) throw new ProtocolError('UNAUTHENTICATED', 'token revoked');
    if (record.expiresAt <= now) throw new ProtocolError('UNAUTHENTICATED', 'token expired');
    const user = await this.storage.getUser(record.userId);
    if (!user) throw new ProtocolError('UNAUTHENTICATED', 'unknown user');
    if (user.bannedUntil > now) throw new ProtocolError('UNAUTHENTICATED', 'user banned');
    return { userId: record.userId, tokenHash };
  }
}
