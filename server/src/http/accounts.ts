/**
 * Built-in accounts: register and log in with a password. What protects them (docs/protocol.md part 2,
 * "Registration and login"): a registration mode, registration limits per client address and for the whole server,
 * a bounded pool for the slow password hashing, failed-login limits per (account, address), per address and per
 * account, and the same work for an unknown user id as for a known one.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import { LoginBody, ProtocolError, RegisterBody, compile } from '../../../protocol/index.js';
import { HashingPool } from '../auth/hashing-pool.js';
import { checkPasswordPolicy } from '../auth/password-policy.js';
import { hashPassword, needsRehash, verifyPassword } from '../auth/passwords.js';
import type { TokenService } from '../auth/tokens.js';
import { parseTrustedProxies, type ServerConfig } from '../config.js';
import type { Metrics } from '../metrics.js';
import { memoryThrottles, type Throttle, type Throttles } from '../services/rate-limit.js';
import type { Storage } from '../storage/storage.js';
import { clientAddress } from './client-address.js';
import { parseJson, readBody, sendJson } from './respond.js';

const registerBody = compile(RegisterBody);
const loginBody = compile(LoginBody);

/** Failed logins: 10 at once, then one a minute, for one account from one address. */
const ACCOUNT_ADDRESS = { rate: 1 / 60, burst: 10 };
/** Failed logins from one address, whichever accounts they name. */
const ADDRESS = { rate: 0.1, burst: 30 };
/** Failed logins of one account from everywhere: looser, it only slows a guesser spread over many addresses. */
const ACCOUNT = { rate: 0.2, burst: 100 };

export type AccountsOptions = Pick<
  ServerConfig,
  'registration' | 'registerPerIpPerHour' | 'registerPerMinute' | 'passwordCost' | 'hashConcurrency' | 'hashQueue' | 'trustedProxies'
>;

function rateLimited(wait: number, why: string): ProtocolError {
  return new ProtocolError('RATE_LIMITED', why, { retryAfterMs: wait });
}

export class Accounts {
  private readonly pool: HashingPool;
  private readonly registrationsByAddress: Throttle;
  /** The whole server's registrations: one bucket, under the key ''. */
  private readonly registrations: Throttle;
  private readonly failuresByAccountAddress: Throttle;
  private readonly failuresByAddress: Throttle;
  private readonly failuresByAccount: Throttle;
  /** A hash of a random password at the current cost: unknown user ids are verified against it. */
  private dummyHash: Promise<string> | null = null;
  private readonly trustedProxies: BlockList | null;

  constructor(
    private readonly storage: Storage,
    private readonly tokens: TokenService,
    private readonly metrics: Metrics,
    private readonly options: AccountsOptions,
    /** Where the limits' buckets are kept: this node's memory, or the storage a cluster shares. */
    throttles: Throttles = memoryThrottles,
  ) {
    this.trustedProxies = parseTrustedProxies(options.trustedProxies);
    this.pool = new HashingPool({ concurrency: options.hashConcurrency, queueLimit: options.hashQueue });
    const perIp = options.registerPerIpPerHour;
    this.registrationsByAddress = throttles('register.address', perIp / 3600, Math.max(1, perIp));
    this.registrations = throttles('register', options.registerPerMinute / 60, Math.max(1, options.registerPerMinute));
    this.failuresByAccountAddress = throttles('login.pair', ACCOUNT_ADDRESS.rate, ACCOUNT_ADDRESS.burst);
    this.failuresByAddress = throttles('login.address', ADDRESS.rate, ADDRESS.burst);
    this.failuresByAccount = throttles('login.account', ACCOUNT.rate, ACCOUNT.burst);
  }

  private hash(password: string, share?: number): Promise<string> {
    return this.pool.run(async () => {
      this.metrics.passwordHashes.inc({ op: 'hash' });
      return hashPassword(password, this.options.passwordCost);
    }, share);
  }

  private verify(password: string, stored: string): Promise<boolean> {
    return this.pool.run(async () => {
      this.metrics.passwordHashes.inc({ op: 'verify' });
      return verifyPassword(password, stored);
    });
  }

  /** A password change's check of the current password, in the bounded pool. */
  checkPassword(password: string, stored: string): Promise<boolean> {
    return this.verify(password, stored);
  }

  /** A password change's new hash: the policy first, then the current cost, in the bounded pool. */
  newPasswordHash(userId: string, password: string): Promise<string> {
    checkPasswordPolicy(userId, password);
    return this.hash(password);
  }

  async register(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const mode = this.options.registration;
    if (mode === 'closed') {
      throw new ProtocolError('FORBIDDEN', 'registration is closed on this server: ask its operator for an account', { reason: 'REGISTRATION_CLOSED' });
    }
    const body = parseJson(await readBody(req, 16 * 1024), registerBody, 'register');
    checkPasswordPolicy(body.userId, body.password);
    const code = mode === 'invite' ? body.inviteCode : undefined;
    if (mode === 'invite' && !code) {
      throw new ProtocolError('FORBIDDEN', 'this server registers only with an invite code (inviteCode)', { reason: 'INVITE_REQUIRED' });
    }
    const now = Date.now();
    const address = clientAddress(req, this.trustedProxies);
    const waitAddress = await this.registrationsByAddress.take(address, now);
    if (waitAddress > 0) throw rateLimited(waitAddress, 'too many registrations from this address');
    const wait = await this.registrations.take('', now);
    if (wait > 0) throw rateLimited(wait, 'too many registrations on this server right now');
    // Cheap refusals before the expensive hash.
    if (await this.storage.getUser(body.userId)) throw new ProtocolError('CONFLICT', `user ${body.userId} already exists`);
    if (code && !(await this.storage.usableInvite(code, now))) throw invalidInvite();

    const passwordHash = await this.hash(body.password, 0.5);
    const user = { userId: body.userId, name: body.name, passwordHash };
    const outcome = code
      ? await this.storage.createUserWithInvite(user, code, Date.now())
      : (await this.storage.createUser(user, Date.now()))
        ? 'created'
        : 'conflict';
    if (outcome === 'conflict') throw new ProtocolError('CONFLICT', `user ${body.userId} already exists`);
    if (outcome === 'invalid-invite') throw invalidInvite();
    sendJson(res, 201, await this.tokens.issue(body.userId));
  }

  async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = parseJson(await readBody(req, 16 * 1024), loginBody, 'login');
    const now = Date.now();
    const address = clientAddress(req, this.trustedProxies);
    const pair = `${body.userId}\n${address}`;
    // A storage that does not answer fails the login here (INTERNAL, retryable) before any password is checked.
    const waits = await Promise.all([this.failuresByAccountAddress.peek(pair, now), this.failuresByAddress.peek(address, now), this.failuresByAccount.peek(body.userId, now)]);
    const wait = Math.max(...waits);
    if (wait > 0) throw rateLimited(wait, 'too many failed attempts');

    const user = await this.storage.getUser(body.userId);
    const stored = user?.passwordHash ?? null;
    // An unknown id costs the same verification as a known one, so the time taken does not tell which it is.
    const ok = stored ? await this.verify(body.password, stored) : await this.verify(body.password, await this.dummy());
    if (!user || !stored || !ok) {
      const at = Date.now();
      await Promise.all([this.failuresByAccountAddress.take(pair, at), this.failuresByAddress.take(address, at), this.failuresByAccount.take(body.userId, at)]);
      throw new ProtocolError('UNAUTHENTICATED', 'wrong user id or password');
    }
    await this.failuresByAccountAddress.reset(pair);
    if (user.bannedUntil > Date.now()) throw new ProtocolError('FORBIDDEN', 'this account is banned');
    if (needsRehash(stored, this.options.passwordCost)) await this.rehash(body.userId, body.password, stored);
    sendJson(res, 200, await this.tokens.issue(body.userId));
  }

  /** Stores a hash at the current cost in place of an older, cheaper one; skipped when the pool is busy. */
  private async rehash(userId: string, password: string, stored: string): Promise<void> {
    let fresh: string;
    try {
      fresh = await this.hash(password, 0.5);
    } catch (error) {
      if (error instanceof ProtocolError && error.code === 'RATE_LIMITED') return; // next login
      throw error;
    }
    if (await this.storage.replacePasswordHash(userId, stored, fresh)) this.metrics.passwordHashes.inc({ op: 'rehash' });
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword(randomBytes(16).toString('base64url'), this.options.passwordCost);
    return this.dummyHash;
  }
}

function invalidInvite(): ProtocolError {
  return new ProtocolError('FORBIDDEN', 'this invite code is unknown, used up or expired', { reason: 'INVITE_INVALID' });
}
