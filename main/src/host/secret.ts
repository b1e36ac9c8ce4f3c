/** The per-launch secret of host mode. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url: valid in a URL fragment and as a WebSocket subprotocol token. */
export function createSecret(): string {
  return randomBytes(32).toString('base64url');
}

export const MIN_SECRET_LENGTH = 32;

/**
 * Constant-time comparison. Both sides are hashed first so timingSafeEqual gets equal lengths and the time
 * does not reveal the secret's length either.
 */
export function secretMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined || expected.length < MIN_SECRET_LENGTH) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}
