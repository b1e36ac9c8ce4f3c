/** Slow password hashing with scrypt (node:crypto; no native dependency). */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** log2 of scrypt's N by default: N=2^17, r=8, p=1 is OWASP's recommendation. */
export const DEFAULT_PASSWORD_COST = 17;
export const MIN_PASSWORD_COST = 10;
export const MAX_PASSWORD_COST = 20;
const R = 8;
const P = 1;
const KEY_LEN = 32;
/** scrypt needs 128·N·r bytes; node refuses anything above maxmem, whose default (32 MiB) is below 2^17's. */
const MIN_MAXMEM = 256 * 1024 * 1024;

interface Params {
  N: number;
  r: number;
  p: number;
}

function paramsFor(cost: number): Params {
  if (!Number.isInteger(cost) || cost < MIN_PASSWORD_COST || cost > MAX_PASSWORD_COST) {
    throw new RangeError(`password cost must be an integer from ${MIN_PASSWORD_COST} to ${MAX_PASSWORD_COST}, got ${cost}`);
  }
  return { N: 2 ** cost, r: R, p: P };
}

function derive(password: string, salt: Buffer, params: Params): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: Math.max(MIN_MAXMEM, 2 * 128 * params.N * params.r) };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LEN, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** The parameters a stored hash was made with, or null when it is not one of ours. */
function parse(stored: string): (Params & { salt: Buffer; hash: Buffer }) | null {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash || rest.length > 0) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const powerOfTwo = Number.isInteger(params.N) && params.N > 1 && (params.N & (params.N - 1)) === 0;
  if (!powerOfTwo || !Number.isInteger(params.r) || params.r < 1 || !Number.isInteger(params.p) || params.p < 1) return null;
  if (params.N > 2 ** MAX_PASSWORD_COST || params.r > 32 || params.p > 16) return null;
  return { ...params, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}

/**
 * Returns `scrypt$N$r$p$salt$hash` so the parameters can be raised later without breaking old hashes.
 * `cost` is log2 of N (PARLEY_PASSWORD_COST on the server).
 */
export async function hashPassword(password: string, cost = DEFAULT_PASSWORD_COST): Promise<string> {
  const params = paramsFor(cost);
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed);
  return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
}

/** Whether a stored hash was made with weaker parameters than `cost` asks for (so a login should store a new one). */
export function needsRehash(stored: string, cost = DEFAULT_PASSWORD_COST): boolean {
  const parsed = parse(stored);
  if (!parsed) return false;
  const wanted = paramsFor(cost);
  return parsed.N < wanted.N || parsed.r < wanted.r || parsed.p < wanted.p;
}
