/**
 * The session routes (docs/protocol.md part 2, "Sessions and devices"): logout revokes the bearer token; a password
 * change, with the old password, revokes every other token of the account.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PasswordChangeBody, ProtocolError, compile } from '../../../protocol/index.js';
import type { TokenService } from '../auth/tokens.js';
import { memoryThrottles, type Throttle, type Throttles } from '../services/rate-limit.js';
import type { Sessions } from '../services/sessions.js';
import type { Storage } from '../storage/storage.js';
import type { Accounts } from './accounts.js';
import { bearerToken, parseJson, readBody, sendJson } from './respond.js';

const passwordBody = compile(PasswordChangeBody);

export class SessionRoutes {
  /** Wrong old passwords per account, so a stolen token cannot be used to guess the password quickly. */
  private readonly failures: Throttle;

  constructor(
    private readonly storage: Storage,
    private readonly tokens: TokenService,
    private readonly sessions: Sessions,
    /** The built-in accounts, whose policy and hashing pool a password change uses; null: no password changes. */
    private readonly passwords: Pick<Accounts, 'checkPassword' | 'newPasswordHash'> | null,
    /** Where the wrong-password buckets are kept: this node's memory, or the storage a cluster shares. */
    throttles: Throttles = memoryThrottles,
  ) {
    this.failures = throttles('password', 0.2, 5);
  }

  async logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { userId, tokenHash } = await this.tokens.authenticate(bearerToken(req));
    await this.sessions.logout(userId, tokenHash);
    sendJson(res, 200, {});
  }

  async changePassword(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.passwords) throw new ProtocolError('NOT_FOUND', 'this server has no built-in accounts');
    const { userId, tokenHash } = await this.tokens.authenticate(bearerToken(req));
    const body = parseJson(await readBody(req, 16 * 1024), passwordBody, 'password');
    const wait = await this.failures.peek(userId, Date.now());
    if (wait > 0) throw new ProtocolError('RATE_LIMITED', 'too many wrong passwords', { retryAfterMs: wait });
    const user = await this.storage.getUser(userId);
    if (!user?.passwordHash) throw new ProtocolError('FORBIDDEN', 'this account has no password to change');
    if (!(await this.passwords.checkPassword(body.oldPassword, user.passwordHash))) {
      await this.failures.take(userId, Date.now());
      // FORBIDDEN, not UNAUTHENTICATED: the token is good, and a client must not sign out over a typo.
      throw new ProtocolError('FORBIDDEN', 'the current password is wrong');
    }
    await this.failures.reset(userId);
    const passwordHash = await this.passwords.newPasswordHash(userId, body.newPassword);
    await this.sessions.passwordChanged(userId, tokenHash, passwordHash);
    sendJson(res, 200, {});
  }
}
