/**
 * The signed admin API for the app's own server. Each request is authenticated by HMAC-SHA256: version 2
 * (docs/protocol.md part 2) over the method, path, query, nonce, timestamp and body; version 1 (part 1, only
 * while `adminSignatureV1` allows it) over nonce + timestamp + body. A nonce is accepted once (remembered in
 * storage, so also across restarts).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ADMIN_HEADERS,
  AdminBanBody,
  AdminInviteBody,
  AdminMessageBody,
  AdminRoomBody,
  AdminTokenBody,
  AdminUserBody,
  ProtocolError,
  SensitiveWordsBody,
  compile,
  isInviteCode,
  isValidId,
  type InviteView,
} from '../../../protocol/index.js';
import type { TokenService } from '../auth/tokens.js';
import type { Hub } from '../services/hub.js';
import type { Messaging } from '../services/messaging.js';
import type { Rooms } from '../services/rooms.js';
import type { SensitiveWordFilter } from '../services/sensitive-words.js';
import type { Storage } from '../storage/storage.js';
import type { Profiles } from '../services/profiles.js';
import { parseJson, readBody, sendJson } from './respond.js';

export const CLOCK_SKEW_MS = 5 * 60_000;
export const SIGNATURE_VERSION_HEADER = 'x-signature-version';
export const SENSITIVE_WORDS_KEY = 'sensitive-words';

const userBody = compile(AdminUserBody);
const tokenBody = compile(AdminTokenBody);
const banBody = compile(AdminBanBody);
const messageBody = compile(AdminMessageBody);
const wordsBody = compile(SensitiveWordsBody);
const roomBody = compile(AdminRoomBody);
const inviteBody = compile(AdminInviteBody);

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * What a version 2 signature covers, before the raw body: "v2", the method, the path and the query as sent (the
 * request target split at its first `?`; no `?` is an empty query), nonce and timestamp, each followed by "\n".
 */
export function v2SignedPrefix(method: string, target: string, nonce: string, timestamp: string): string {
  const q = target.indexOf('?');
  const pathPart = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q + 1);
  return ['v2', method, pathPart, query, nonce, timestamp, ''].join('\n');
}

export interface AdminDeps {
  appKey: string;
  appSecret: string;
  /** Whether version 1 signatures (part 1) are still accepted. */
  allowV1: boolean;
  storage: Storage;
  tokens: TokenService;
  hub: Hub;
  messaging: Messaging;
  rooms: Rooms;
  words: SensitiveWordFilter;
  /** Tells who sees a user that the admin API changed their name or avatar. */
  profiles: Pick<Profiles, 'announce'>;
}

export class AdminApi {
  constructor(private readonly deps: AdminDeps) {}

  /** Verifies the signature headers over the raw body; throws UNAUTHENTICATED. */
  private async verify(req: IncomingMessage, raw: Buffer): Promise<void> {
    const refuse = (why: string) => new ProtocolError('UNAUTHENTICATED', why);
    if (!safeEqual(header(req, ADMIN_HEADERS.appKey), this.deps.appKey)) throw refuse('unknown app key');
    const versionText = header(req, SIGNATURE_VERSION_HEADER) || '1';
    if (versionText !== '1' && versionText !== '2') throw refuse('X-Signature-Version must be 2 (or 1 where allowed)');
    const version = Number(versionText);
    if (version === 1 && !this.deps.allowV1) throw refuse('version 1 signatures are turned off on this server: sign with version 2 (X-Signature-Version: 2)');
    const nonce = header(req, ADMIN_HEADERS.nonce);
    const tsText = header(req, ADMIN_HEADERS.timestamp);
    const ts = Number(tsText);
    if (!/^[\x21-\x7e]{8,128}$/.test(nonce)) throw refuse('X-Nonce must be 8–128 printable characters');
    if (!/^\d{1,16}$/.test(tsText) || Math.abs(Date.now() - ts) > CLOCK_SKEW_MS) throw refuse('X-Timestamp is missing or more than 5 minutes off');
    const signed = version === 2 ? v2SignedPrefix(req.method ?? 'GET', req.url ?? '/', nonce, tsText) : nonce + tsText;
    const expected = createHmac('sha256', this.deps.appSecret).update(signed).update(raw).digest('hex');
    if (!safeEqual(header(req, ADMIN_HEADERS.signature).toLowerCase(), expected)) throw refuse('bad signature');
    if (!(await this.deps.storage.rememberNonce(nonce, ts))) throw refuse('nonce already used');
  }

  /** Routes /v1/admin/...; returns false when no admin route matches. */
  async handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    const { storage, tokens, hub, messaging, rooms, words } = this.deps;
    const method = req.method ?? 'GET';
    const raw = await readBody(req, 4 * 1024 * 1024);
    const parts = pathname.split('/').slice(3); // ['', 'v1', 'admin', ...]
    const route = `${method} ${parts.map((p, i) => (i === 1 && parts[0] === 'users' ? ':id' : p)).join('/')}`;
    const known = [
      'POST users',
      'POST users/:id/token',
      'POST users/:id/ban',
      'POST messages',
      'PUT sensitive-words',
      'POST rooms',
      'DELETE rooms',
      'POST invites',
      'GET invites',
      'DELETE invites',
    ];
    const routeKey = route.startsWith('DELETE rooms/') ? 'DELETE rooms' : route.startsWith('DELETE invites/') ? 'DELETE invites' : route;
    if (!known.includes(routeKey)) return false;
    await this.verify(req, raw);
    const userIdParam = parts[0] === 'users' ? decodeURIComponent(parts[1] ?? '') : '';
    if (parts[0] === 'users' && parts.length > 1 && !isValidId(userIdParam)) throw new ProtocolError('BAD_REQUEST', 'malformed user id');

    switch (routeKey) {
      case 'POST users': {
        const body = parseJson(raw, userBody, 'user');
        const created = await storage.createUser({ userId: body.userId, name: body.name, avatar: body.avatar }, Date.now());
        if (!created && (await storage.updateUser({ userId: body.userId, name: body.name, avatar: body.avatar }))) await this.deps.profiles.announce(body.userId);
        sendJson(res, created ? 201 : 200, { userId: body.userId });
        return true;
      }
      case 'POST users/:id/token': {
        const body = parseJson(raw, tokenBody, 'token');
        const user = await storage.getUser(userIdParam);
        if (!user) throw new ProtocolError('NOT_FOUND', 'no such user');
        if (user.bannedUntil > Date.now()) throw new ProtocolError('FORBIDDEN', 'this user is banned');
        sendJson(res, 200, await tokens.issue(userIdParam, body.ttlSeconds));
        return true;
      }
      case 'POST users/:id/ban': {
        const body = parseJson(raw, banBody, 'ban');
        if (!(await storage.getUser(userIdParam))) throw new ProtocolError('NOT_FOUND', 'no such user');
        await storage.setBannedUntil(userIdParam, body.untilTs);
        if (body.untilTs > Date.now()) {
          await storage.revokeUserTokens(userIdParam);
          hub.revoke(userIdParam, 'banned');
        }
        sendJson(res, 200, {});
        return true;
      }
      case 'POST messages': {
        const body = parseJson(raw, messageBody, 'message');
        if (!(await messaging.userExists(body.from))) throw new ProtocolError('NOT_FOUND', `user ${body.from} does not exist`);
        const ack = await messaging.send(
          body.from,
          { convId: body.convId, clientMsgId: `admin-${header(req, ADMIN_HEADERS.nonce)}`, kind: body.kind, body: body.body },
          { trusted: true },
        );
        sendJson(res, 200, ack);
        return true;
      }
      case 'PUT sensitive-words': {
        const body = parseJson(raw, wordsBody, 'sensitive words');
        words.set(body.words, body.mode);
        await storage.setSetting(SENSITIVE_WORDS_KEY, JSON.stringify(body));
        sendJson(res, 200, {});
        return true;
      }
      case 'POST rooms': {
        const body = parseJson(raw, roomBody, 'room');
        const created = await rooms.create(body.roomId, body.name);
        sendJson(res, created ? 201 : 200, { roomId: body.roomId, name: body.name });
        return true;
      }
      case 'DELETE rooms': {
        const roomId = decodeURIComponent(parts.slice(1).join('/'));
        if (!isValidId(roomId)) throw new ProtocolError('BAD_REQUEST', 'malformed room id');
        if (!(await rooms.destroy(roomId, 'deleted'))) throw new ProtocolError('NOT_FOUND', 'no such chatroom');
        res.writeHead(204);
        res.end();
        return true;
      }
      case 'POST invites': {
        const body = parseJson(raw, inviteBody, 'invite');
        const invite = { code: randomBytes(15).toString('base64url'), usesLeft: body.uses ?? 1, expiresAt: body.expiresAt ?? null, createdAt: Date.now() };
        await storage.createInvite(invite);
        sendJson(res, 201, invite satisfies InviteView);
        return true;
      }
      case 'GET invites': {
        sendJson(res, 200, { invites: (await storage.listInvites()) satisfies InviteView[] });
        return true;
      }
      case 'DELETE invites': {
        const code = parts.slice(1).join('/');
        if (!isInviteCode(code)) throw new ProtocolError('BAD_REQUEST', 'malformed invite code');
        if (!(await storage.deleteInvite(code))) throw new ProtocolError('NOT_FOUND', 'no such invite code');
        res.writeHead(204);
        res.end();
        return true;
      }
      default:
        throw new ProtocolError('NOT_FOUND', `no admin route ${routeKey}`);
    }
  }
}
