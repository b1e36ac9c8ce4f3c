/** Built-in accounts: register and log in with a password. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoginBody, ProtocolError, RegisterBody, compile } from '../../../protocol/index.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import type { TokenService } from '../auth/tokens.js';
import { TokenBucket } from '../services/rate-limit.js';
import type { Storage } from '../storage/storage.js';
import { parseJson, readBody, sendJson } from './respond.js';

const registerBody = compile(RegisterBody);
const loginBody = compile(LoginBody);
const MAX_TRACKED = 10_000;

export class Accounts {
  /** Failed logins per account, to slow down password guessing. */
  private readonly failures = new Map<string, TokenBucket>();

  constructor(
    private readonly storage: Storage,
    private readonly tokens: TokenService,
  ) {}

  async register(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = parseJson(await readBody(req, 16 * 1024), registerBody, 'register');
    const passwordHash = await hashPassword(body.password);
    const created = await this.storage.createUser({ userId: body.userId, name: body.name, passwordHash }, Date.now());
    if (!created) throw new ProtocolError('CONFLICT', `user ${body.userId} already exists`);
    sendJson(res, 201, await this.tokens.issue(body.userId));
  }

  async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = parseJson(await readBody(req, 16 * 1024), loginBody, 'login');
    const limiter = this.failures.get(body.userId);
    if (limiter) {
      const wait = limiter.take();
      if (wait > 0) throw new ProtocolError('RATE_LIMITED', 'too many failed attempts', { retryAfterMs: wait });
    }
    const user = await this.storage.getUser(body.userId);
    const ok = user?.passwordHash ? await verifyPassword(body.password, user.passwordHash) : false;
    if (!user || !ok) {
      if (!limiter) {
        if (this.failures.size >= MAX_TRACKED) this.failures.clear();
        this.failures.set(body.userId, new TokenBucket(0.2, 10));
      }
      throw new ProtocolError('UNAUTHENTICATED', 'wrong user id or password');
    }
    this.failures.delete(body.userId);
    if (user.bannedUntil > Date.now()) throw new ProtocolError('FORBIDDEN', 'this account is banned');
    sendJson(res, 200, await this.tokens.issue(body.userId));
  }
}
