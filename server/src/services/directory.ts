/**
 * The directory (docs/protocol.md part 2, "Directory"): users found by id or name, public groups found by name, and a
 * user's opt-out. Names are matched folded (storage/name-fold.ts) as substrings; the storage does the matching, so
 * nothing is scanned here. Results come in pages continued by an opaque cursor: the (rank, id) of a page's last result.
 */
import { ProtocolError, isValidId, type OpRequest, type OpResult } from '../../../protocol/index.js';
import type { ServerConfig } from '../config.js';
import { foldName } from '../storage/name-fold.js';
import type { Storage } from '../storage/storage.js';
import type { Messaging } from './messaging.js';

const DEFAULT_LIMIT = 20;
/** Ranks of users: exact id, id prefix, name; of groups: exact id, name. */
const USER_RANKS = 3;
const GROUP_RANKS = 2;
const CURSOR_RE = /^([0-9])\.([A-Za-z0-9_.@-]{1,64})$/;

interface Position {
  rank: number;
  id: string;
}

function encodeCursor(p: Position): string {
  return Buffer.from(`${p.rank}.${p.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | undefined, ranks: number): Position | undefined {
  if (cursor === undefined) return undefined;
  const m = /^[A-Za-z0-9_-]+$/.test(cursor) ? CURSOR_RE.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  const rank = m ? Number(m[1]) : -1;
  if (!m || rank >= ranks) throw new ProtocolError('BAD_REQUEST', 'cursor is not one this server issued');
  return { rank, id: m[2]! };
}

/** The query as an id (exact or prefix; '' when it cannot be one) and folded for names (BAD_REQUEST when empty). */
function parseQuery(query: string): { id: string; folded: string } {
  const trimmed = query.trim();
  const folded = foldName(trimmed);
  if (folded === '') throw new ProtocolError('BAD_REQUEST', 'query is empty');
  return { id: isValidId(trimmed) ? trimmed : '', folded };
}

export class Directory {
  constructor(
    private readonly storage: Storage,
    private readonly messaging: Messaging,
    private readonly config: Pick<ServerConfig, 'directory'>,
  ) {}

  async searchUsers(searcher: string, body: OpRequest<'users.search'>): Promise<OpResult<'users.search'>> {
    const { id, folded } = parseQuery(body.query);
    const after = decodeCursor(body.cursor, USER_RANKS);
    const limit = body.limit ?? DEFAULT_LIMIT;
    const mode = this.config.directory;
    const scope = mode === 'none' ? 'none' : mode === 'contacts-of-contacts' ? 'shared' : 'all';
    const hits = await this.storage.searchUsers({ searcher, id, folded, scope, after, limit: limit + 1 });
    const page = hits.slice(0, limit);
    const users = await this.messaging.userInfos(searcher, page.map((h) => h.user));
    const result: OpResult<'users.search'> = { users };
    const last = page.at(-1);
    if (hits.length > limit && last) result.nextCursor = encodeCursor({ rank: last.rank, id: last.user.userId });
    return result;
  }

  async searchGroups(body: OpRequest<'groups.search'>): Promise<OpResult<'groups.search'>> {
    const { id, folded } = parseQuery(body.query);
    const after = decodeCursor(body.cursor, GROUP_RANKS);
    const limit = body.limit ?? DEFAULT_LIMIT;
    const hits = await this.storage.searchGroups({ id, folded, after, limit: limit + 1 });
    const page = hits.slice(0, limit);
    const groups = page.map((h) => ({ groupId: h.group.groupId, name: h.group.name, memberCount: h.memberCount, joinPolicy: h.group.joinPolicy }));
    const result: OpResult<'groups.search'> = { groups };
    const last = page.at(-1);
    if (hits.length > limit && last) result.nextCursor = encodeCursor({ rank: last.rank, id: last.group.groupId });
    return result;
  }

  async optOut(userId: string, hidden: boolean): Promise<void> {
    await this.storage.setDiscoverable(userId, !hidden);
  }
}
