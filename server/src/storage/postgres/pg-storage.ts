/**
 * Storage in PostgreSQL through node-postgres (a pool of connections), selected by PARLEY_DATABASE_URL. The same
 * semantics as the SQLite storage; what SQLite got from having one writer at a time is got here from row locks:
 * every transaction that appends to a conversation, or changes who may append to it, first locks the
 * conversation's row, so a seq is assigned and the `requires` checks are made with no concurrent change between
 * them, and the unique (sender, client_msg_id) index keeps a retry from being stored twice even by two servers.
 */
import pg, { type QueryResultRow } from 'pg';
import { ProtocolError, groupConvId, roomConvId, type ConvKindName, type LogEntry } from '../../../../protocol/index.js';
import type {
  AppendItem,
  AppendOutcome,
  CollectedFile,
  ConversationRow,
  FileRecord,
  GroupChange,
  GroupMemberRecord,
  GroupRecord,
  GroupRole,
  HistoryQuery,
  InviteRecord,
  JoinRequestRecord,
  MemberState,
  RoomRecord,
  SessionRecord,
  SharedThrottles,
  Storage,
  ThrottleLimit,
  TokenRecord,
  TokenUse,
  UserRecord,
  AvatarImage,
  AvatarUpload,
  GroupListingRecord,
  GroupSearch,
  UserSearch,
} from '../storage.js';
import { storedEntry } from '../storage.js';
import { presencePairs, profileAudienceSql, toEntry, toGroup, toInvite, toUser, type GroupRow, type InviteRow, type MessageRow, type UserRow } from '../rows.js';
import { foldName, likeLiteral } from '../name-fold.js';
import { migratePg } from './migrations.js';
import * as pgContacts from './pg-contacts.js';
import type { ContactDecision } from '../contact-state.js';

/** A PARLEY_DATABASE_URL that cannot be used; its message never contains the password. */
export class DatabaseUrlError extends Error {}

/** Whether a database setting names PostgreSQL (postgres:// or postgresql://). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** The URL as it may be logged: the password, if any, replaced by `***`. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

// ms timestamps and seqs are bigint; they stay far below 2^53, so they are read as numbers (on this pool only).
const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8 || oid === NUMERIC) return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

interface ConvJoinRow extends Partial<Record<`lm_${keyof MessageRow}`, unknown>> {
  conv_id: string;
  kind: string;
  last_seq: number;
  updated_at: number;
  read_seq: number;
  muted: boolean;
  pinned: boolean;
  peer_id: string | null;
  peer_read_seq: number | null;
  group_name: string | null;
}

/** A key of a pair of ids (sender and clientMsgId, conversation and user) for maps. */
function pairKey(a: string, b: string): string {
  return JSON.stringify([a, b]);
}

/** U+0000 as JSON.stringify escapes it in a stored body. */
const NUL_ESCAPE = '\\u0000';

const MESSAGE_COLUMNS = 'conv_id, seq, msg_id, client_msg_id, sender, ts, kind, body, mentions, reply_to, recalled';

/** The entries stored under the pairs ($1[i], $2[i]) of sender and clientMsgId. */
const BY_CLIENT_IDS = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE (sender, client_msg_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`;

/**
 * The directory's user search (storage.ts UserSearch), as SQLite's: three disjoint branches, each served by its index
 * — the exact id by the primary key, the id prefix by users_id_pattern (a left-anchored LIKE), names by LIKE '%…%'
 * over name_folded (users_name_trgm when pg_trgm is there) — merged in (rank, user_id) order. $1 the searcher, $2 the
 * id ('' for none), $3 the id-prefix pattern ('' for none: matches no id), $4 the name pattern, $5 0 for scope
 * `none`, $6 1 for scope `shared`, $7/$8 the cursor's rank and id, $9 the limit.
 */
const DIRECTORY_VISIBLE = `u.discoverable
  AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = u.user_id AND b.blocked = $1)
  AND ($6 = 0
    OR EXISTS (SELECT 1 FROM contacts c WHERE c.user_id = $1 AND c.contact_id = u.user_id)
    OR EXISTS (SELECT 1 FROM contacts c JOIN contacts cc ON cc.user_id = c.contact_id WHERE c.user_id = $1 AND cc.contact_id = u.user_id)
    OR EXISTS (SELECT 1 FROM conv_members a JOIN conv_members o ON o.conv_id = a.conv_id
      WHERE a.user_id = $1 AND a.active AND o.user_id = u.user_id AND o.active))`;
const USER_COLUMNS = 'u.user_id, u.name, u.avatar, u.status, u.password_hash, u.created_at, u.banned_until, u.last_seen';
const SEARCH_USERS = `
  SELECT * FROM (
    SELECT ${USER_COLUMNS}, 0 AS rank FROM users u WHERE u.user_id = $2
    UNION ALL
    SELECT ${USER_COLUMNS}, 1 AS rank FROM users u WHERE $5 = 1 AND u.user_id LIKE $3 AND u.user_id <> $2 AND ${DIRECTORY_VISIBLE}
    UNION ALL
    SELECT ${USER_COLUMNS}, 2 AS rank FROM users u
    WHERE $5 = 1 AND u.name_folded LIKE $4 AND NOT (u.user_id LIKE $3) AND ${DIRECTORY_VISIBLE}
  ) s
  WHERE user_id <> $1 AND (rank > $7 OR (rank = $7 AND user_id > $8))
  ORDER BY rank, user_id LIMIT $9`;
const GROUP_COLUMNS = 'g.group_id, g.name, g.announcement, g.join_policy, g.muted_all_until, g.created_at, g.dismissed_at, g.is_public';
const SEARCH_GROUPS = `
  SELECT s.*, (SELECT COUNT(*) FROM conv_members m WHERE m.conv_id = 'g:' || s.group_id AND m.active) AS member_count FROM (
    SELECT * FROM (
      SELECT ${GROUP_COLUMNS}, 0 AS rank FROM chat_groups g WHERE g.group_id = $1 AND g.is_public AND g.dismissed_at = 0
      UNION ALL
      SELECT ${GROUP_COLUMNS}, 1 AS rank FROM chat_groups g
      WHERE g.is_public AND g.dismissed_at = 0 AND g.name_folded LIKE $2 AND g.group_id <> $1
    ) u
    WHERE rank > $3 OR (rank = $3 AND group_id > $4)
    ORDER BY rank, group_id LIMIT $5
  ) s
  ORDER BY s.rank, s.group_id`;

const CONV_SELECT = `
  SELECT c.conv_id, c.kind, c.last_seq, c.updated_at, m.read_seq, m.muted, m.pinned,
         p.user_id AS peer_id, p.read_seq AS peer_read_seq, g.name AS group_name,
         lm.conv_id AS lm_conv_id, lm.seq AS lm_seq, lm.msg_id AS lm_msg_id, lm.client_msg_id AS lm_client_msg_id,
         lm.sender AS lm_sender, lm.ts AS lm_ts, lm.kind AS lm_kind, lm.body AS lm_body, lm.mentions AS lm_mentions,
         lm.reply_to AS lm_reply_to, lm.recalled AS lm_recalled
  FROM conv_members m
  JOIN conversations c ON c.conv_id = m.conv_id
  LEFT JOIN conv_members p ON c.kind = 'private' AND p.conv_id = m.conv_id AND p.user_id <> m.user_id
  LEFT JOIN chat_groups g ON c.kind = 'group' AND g.group_id = substr(c.conv_id, 3)
  LEFT JOIN messages lm ON c.last_seq > 0 AND lm.conv_id = c.conv_id AND lm.seq = c.last_seq`;

function toConversation(row: ConvJoinRow): ConversationRow {
  const last =
    row.lm_conv_id == null
      ? null
      : toEntry({
          conv_id: row.lm_conv_id as string,
          seq: row.lm_seq as number,
          msg_id: row.lm_msg_id as string,
          client_msg_id: row.lm_client_msg_id as string,
          sender: row.lm_sender as string,
          ts: row.lm_ts as number,
          kind: row.lm_kind as string,
          body: row.lm_body as string,
          mentions: row.lm_mentions as string | null,
          reply_to: row.lm_reply_to as number | null,
          recalled: row.lm_recalled as boolean,
        });
  return {
    convId: row.conv_id,
    kind: row.kind as ConvKindName,
    lastSeq: row.last_seq,
    readSeq: row.read_seq,
    peerReadSeq: row.peer_read_seq,
    peerId: row.peer_id,
    muted: row.muted,
    pinned: row.pinned,
    updatedAt: row.updated_at,
    lastMessage: last,
    groupName: row.group_name,
  };
}

/** A throttle bucket's tokens once refilled to `now` (a clock behind `at` refills nothing). */
const REFILLED = 'LEAST($3::float8, t.tokens + GREATEST($4::bigint - t.at, 0) * $2::float8 / 1000)';

/**
 * Takes $5 tokens from bucket $1 (rate $2 a second, burst $3) at $4 when it holds them, or always when $6 (debt):
 * one statement, so concurrent takes from any number of nodes queue on the row and each sees the one before. A
 * missing bucket is full. Returns a row only when the tokens were taken.
 */
const TAKE_THROTTLE = `
  INSERT INTO throttles AS t (key, tokens, at, full_at)
  SELECT $1::text, $3::float8 - $5::float8, $4::bigint, $4::bigint + ceil($5::float8 / $2::float8 * 1000)::bigint
  WHERE $6::boolean OR $3::float8 >= $5::float8
  ON CONFLICT (key) DO UPDATE SET
    tokens = ${REFILLED} - $5::float8,
    at = GREATEST(t.at, $4::bigint),
    full_at = GREATEST(t.at, $4::bigint) + ceil(($3::float8 - ${REFILLED} + $5::float8) / $2::float8 * 1000)::bigint
  WHERE $6::boolean OR ${REFILLED} >= $5::float8
  RETURNING 1`;

/** The wait until a bucket holding `tokens` at `at` holds `need` (0: it does now); no row is a full bucket. */
function throttleWait(row: { tokens: number; at: number } | undefined, limit: ThrottleLimit, now: number, need: number): number {
  const tokens = row ? Math.min(limit.burst, row.tokens + (Math.max(0, now - row.at) * limit.rate) / 1000) : limit.burst;
  return tokens >= need ? 0 : Math.ceil(((need - tokens) / limit.rate) * 1000);
}

/** Queries can run on the pool or on one transaction's connection. */
export interface Queryable {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * What PostgreSQL cannot take as SQLite does, made so before it is sent: a number beyond the safe integers (a
 * client may send seq 1e308) is clamped to them, which compares with every stored value as the number itself
 * would; text holding U+0000, which PostgreSQL's text cannot store, is refused as a bad request.
 */
function storable(values: readonly unknown[]): unknown[] {
  return values.map((v) => {
    if (typeof v === 'number') return Number.isFinite(v) ? Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, v)) : v;
    if (typeof v === 'string' && v.includes('\u0000')) throw new ProtocolError('BAD_REQUEST', 'text containing U+0000 (NUL) cannot be stored');
    if (Array.isArray(v)) return storable(v);
    return v;
  });
}

/**
 * Point lookups by a pair of ids made in the same turn of the event loop, answered by one query: a query costs the
 * server about 50 µs of CPU in node-postgres alone, and every send makes two (its retry check and its block check).
 * A pair that cannot be sent (see `storable`) fails its own lookup only.
 */
class PairLookup<V> {
  private pending: Array<{ a: string; b: string; resolve: (v: V | undefined) => void; reject: (e: Error) => void }> = [];

  constructor(private readonly run: (as: string[], bs: string[]) => Promise<Map<string, V>>) {}

  get(a: string, b: string): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      try {
        storable([a, b]);
      } catch (error) {
        reject(error as Error);
        return;
      }
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ a, b, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.run(
      batch.map((p) => p.a),
      batch.map((p) => p.b),
    ).then(
      (found) => batch.forEach((p) => p.resolve(found.get(pairKey(p.a, p.b)))),
      (error: Error) => batch.forEach((p) => p.reject(error)),
    );
  }
}

export interface PgStorageOptions {
  /** postgres://user:password@host:port/database (PARLEY_DATABASE_URL). */
  url: string;
  /** Connections the pool holds at most (default 10). */
  maxConnections?: number;
}

export class PgStorage implements Storage {
  /** Conversations whose row and members are known to exist (committed), so appends skip re-ensuring them. */
  private readonly knownConversations = new Set<string>();
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly synchronousCommit: string,
  ) {}

  /** Connects, migrates the schema (once, also when several servers start at once) and returns the storage. */
  static async open(options: PgStorageOptions): Promise<PgStorage> {
    if (!isPostgresUrl(options.url)) throw new DatabaseUrlError(`the database URL must start with postgres:// or postgresql://, got ${redactDatabaseUrl(options.url)}`);
    const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10, idleTimeoutMillis: 30_000, types });
    // An idle connection the server drops (restart, network) must not take the process down; the next query reconnects.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect().catch((error: Error) => {
        throw new DatabaseUrlError(`cannot connect to PostgreSQL at ${redactDatabaseUrl(options.url)}: ${error.message}`);
      });
      try {
        await migratePg(client);
        const sync = (await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit ?? 'unknown';
        return new PgStorage(pool, sync);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  readonly throttles: SharedThrottles = {
    take: async (key, limit, now, cost, debt) => {
      if ((await this.run(TAKE_THROTTLE, [key, limit.rate, limit.burst, now, cost, debt])) === 1) return 0;
      // Refused: how long until it would not be (only the answer's retryAfterMs, so a read after the fact will do).
      return Math.max(1, await this.throttles.peek(key, limit, now, cost));
    },
    peek: async (key, limit, now, need) => throttleWait(await this.one<{ tokens: number; at: number }>('SELECT tokens, at FROM throttles WHERE key = $1', [key]), limit, now, need),
    reset: async (key) => {
      await this.run('DELETE FROM throttles WHERE key = $1', [key]);
    },
    prune: (now) => this.run('DELETE FROM throttles WHERE full_at <= $1', [now]),
  };

  private readonly onPool: Queryable = { query: (text, values = []) => this.pool.query(text, storable(values)) };

  private async rows<R extends QueryResultRow>(text: string, values: unknown[] = [], on: Queryable = this.onPool): Promise<R[]> {
    return (await on.query<R>(text, values)).rows;
  }
  private async one<R extends QueryResultRow>(text: string, values: unknown[] = [], on: Queryable = this.onPool): Promise<R | undefined> {
    return (await on.query<R>(text, values)).rows[0];
  }
  private async run(text: string, values: unknown[] = [], on: Queryable = this.onPool): Promise<number> {
    return (await on.query(text, values)).rowCount ?? 0;
  }

  /** Runs `fn` in one read-only transaction whose reads are one snapshot. */
  private snapshot<T>(fn: (c: Queryable) => Promise<T>): Promise<T> {
    return this.transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  /** Runs `fn` in one transaction on one connection: committed when it returns, rolled back when it throws. */
  private tx<T>(fn: (c: Queryable) => Promise<T>): Promise<T> {
    return this.transaction('BEGIN', fn);
  }

  private async transaction<T>(begin: string, fn: (c: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const result = await fn({ query: (text, values = []) => client.query(text, storable(values)) });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  // --- logs

  async appendBatch(items: readonly AppendItem[]): Promise<AppendOutcome[]> {
    try {
      return await this.appendTxn(items);
    } catch {
      // One bad item must not fail its neighbours: retry each alone so only the culprit fails.
      const outcomes: AppendOutcome[] = [];
      for (const item of items) {
        try {
          outcomes.push((await this.appendTxn([item]))[0]!);
        } catch (error) {
          outcomes.push({ status: 'failed', error: error as Error });
        }
      }
      return outcomes;
    }
  }

  private async appendTxn(items: readonly AppendItem[]): Promise<AppendOutcome[]> {
    const outcomes = await this.tx((c) => this.appendRows(c, items));
    for (const item of items) this.knownConversations.add(item.convId); // only after the commit
    return outcomes;
  }

  /**
   * Appends the items in order inside the caller's transaction, each as the SQLite storage does one at a time, but
   * with a few statements for the whole batch (each statement is a round trip, and a batch holds up to 1,000
   * items). An item failing its check throws, which fails the whole transaction (appendBatch then retries each alone).
   */
  private async appendRows(c: Queryable, items: readonly AppendItem[]): Promise<Array<Exclude<AppendOutcome, { status: 'failed' }>>> {
    const senders = items.map((i) => i.from);
    const clientIds = items.map((i) => i.clientMsgId);
    // Two servers storing the same retry at once: the second waits for the first's commit, then finds its entry.
    // Every transaction takes these locks in the same (sorted) order, so two batches cannot deadlock on them.
    await c.query(
      `SELECT pg_advisory_xact_lock(k1, k2)
       FROM (SELECT DISTINCT hashtext(s) AS k1, hashtext(m) AS k2 FROM unnest($1::text[], $2::text[]) AS t(s, m) ORDER BY 1, 2) keys`,
      [senders, clientIds],
    );
    // A statement of its own: its snapshot is taken once the locks are held, so it sees the other's commit.
    const stored = await this.rows<MessageRow>(BY_CLIENT_IDS, [senders, clientIds], c);
    const earlier = new Map<string, LogEntry | number>(stored.map((r) => [pairKey(r.sender, r.client_msg_id), toEntry(r)]));

    // The items to store: those whose clientMsgId neither is stored nor was sent earlier in this batch (a number in
    // `earlier`: the index in `fresh` of the item it repeats).
    const fresh: AppendItem[] = [];
    const repeats = new Set<number>();
    const slots = items.map((item, i) => {
      const key = pairKey(item.from, item.clientMsgId);
      const seen = earlier.get(key);
      if (typeof seen === 'number') repeats.add(i);
      if (seen !== undefined) return seen;
      earlier.set(key, fresh.length);
      fresh.push(item);
      return fresh.length - 1;
    });
    if (fresh.length === 0) return slots.map((s) => ({ status: 'duplicate', entry: s as LogEntry }));

    const convs = new Map<string, { n: number; lastTs: number; requiresRoom: boolean; firstSeq: number }>();
    for (const item of fresh) {
      const conv = convs.get(item.convId) ?? { n: 0, lastTs: item.ts, requiresRoom: false, firstSeq: 0 };
      conv.n += 1;
      conv.lastTs = item.ts;
      conv.requiresRoom ||= item.requires === 'room';
      convs.set(item.convId, conv);
    }
    await this.ensureConversations(
      c,
      fresh.filter((i) => !this.knownConversations.has(i.convId)),
    );

    // Locks the conversations' rows until the commit, in sorted order (no deadlock between two batches): seqs are
    // given in commit order, and the checks below see no membership change or room deletion in flight (those lock
    // the row first too). Then one update reserves each conversation's range of seqs.
    const convIds = [...convs.keys()];
    await c.query('SELECT 1 FROM conversations WHERE conv_id = ANY($1::text[]) ORDER BY conv_id FOR UPDATE', [convIds]);
    const reserved = await this.rows<{ conv_id: string; last_seq: number }>(
      `UPDATE conversations c SET last_seq = c.last_seq + b.n, updated_at = b.ts
       FROM unnest($1::text[], $2::int[], $3::bigint[]) AS b(conv_id, n, ts) WHERE c.conv_id = b.conv_id
       RETURNING c.conv_id, c.last_seq`,
      [convIds, convIds.map((id) => convs.get(id)!.n), convIds.map((id) => convs.get(id)!.lastTs)],
      c,
    );
    for (const r of reserved) convs.get(r.conv_id)!.firstSeq = r.last_seq - convs.get(r.conv_id)!.n + 1;
    for (const [convId, conv] of convs) {
      if (conv.firstSeq > 0) continue;
      if (conv.requiresRoom) throw new ProtocolError('NOT_FOUND', 'no such chatroom');
      throw new Error(`conversation ${convId} vanished inside its transaction`);
    }
    await this.checkRequires(c, fresh);

    const seqs = fresh.map((item) => convs.get(item.convId)!.firstSeq++);
    const rows: MessageRow[] = fresh.map((item, i) => ({
      conv_id: item.convId,
      seq: seqs[i]!,
      msg_id: item.msgId,
      client_msg_id: item.clientMsgId,
      sender: item.from,
      ts: item.ts,
      kind: item.kind,
      body: JSON.stringify(item.body),
      mentions: item.mentions && item.mentions.length > 0 ? JSON.stringify(item.mentions) : null,
      reply_to: item.replyTo ?? null,
      recalled: false,
    }));
    await c.query(
      `INSERT INTO messages (conv_id, seq, msg_id, client_msg_id, sender, ts, kind, body, mentions, reply_to)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::bigint[])`,
      (['conv_id', 'seq', 'msg_id', 'client_msg_id', 'sender', 'ts', 'kind', 'body', 'mentions', 'reply_to'] as const).map((col) => rows.map((r) => r[col])),
    );
    await this.referenceFiles(c, fresh, seqs);

    const entries = fresh.map((item, i) => storedEntry(item, seqs[i]!));
    // A repeat within the batch answers with the entry as it reads back, as it would after the commit.
    return slots.map((s, i) =>
      typeof s !== 'number' ? { status: 'duplicate', entry: s } : repeats.has(i) ? { status: 'duplicate', entry: toEntry(rows[s]!) } : { status: 'stored', entry: entries[s]! },
    );
  }

  /** Makes sure the conversations of `items` and their members exist, inserted in sorted order: two batches making the same ones cannot deadlock. */
  private async ensureConversations(c: Queryable, items: readonly AppendItem[]): Promise<void> {
    if (items.length === 0) return;
    const convs = new Map<string, { kind: string; ts: number }>();
    const members = new Map<string, { convId: string; userId: string; ts: number }>();
    for (const item of items) {
      if (!convs.has(item.convId)) convs.set(item.convId, { kind: item.convKind, ts: item.ts });
      for (const userId of item.members) {
        const key = pairKey(item.convId, userId);
        if (!members.has(key)) members.set(key, { convId: item.convId, userId, ts: item.ts });
      }
    }
    const convIds = [...convs.keys()];
    await c.query(
      `INSERT INTO conversations (conv_id, kind, created_at, updated_at)
       SELECT id, kind, ts, ts FROM unnest($1::text[], $2::text[], $3::bigint[]) AS t(id, kind, ts) ORDER BY id ON CONFLICT DO NOTHING`,
      [convIds, convIds.map((id) => convs.get(id)!.kind), convIds.map((id) => convs.get(id)!.ts)],
    );
    if (members.size === 0) return;
    const m = [...members.values()];
    await c.query(
      `INSERT INTO conv_members (conv_id, user_id, joined_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) AS t(conv_id, user_id, ts) ORDER BY conv_id, user_id ON CONFLICT DO NOTHING`,
      [m.map((r) => r.convId), m.map((r) => r.userId), m.map((r) => r.ts)],
    );
  }

  /** The `requires` checks of the items, in one statement; run with their conversations' rows locked. */
  private async checkRequires(c: Queryable, items: readonly AppendItem[]): Promise<void> {
    const members = new Map<string, AppendItem>();
    const rooms = new Set<string>();
    for (const item of items) {
      if (item.requires === 'member') members.set(pairKey(item.convId, item.from), item);
      if (item.requires === 'room') rooms.add(item.convId.slice(2));
    }
    if (members.size === 0 && rooms.size === 0) return;
    const found = await this.one<{ members: number; rooms: number }>(
      `SELECT (SELECT COUNT(*) FROM conv_members WHERE active AND (conv_id, user_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))) AS members,
              (SELECT COUNT(*) FROM rooms WHERE room_id = ANY($3::text[])) AS rooms`,
      [[...members.values()].map((i) => i.convId), [...members.values()].map((i) => i.from), [...rooms]],
      c,
    );
    if (found!.members < members.size) throw new ProtocolError('FORBIDDEN', 'not a member of this conversation');
    if (found!.rooms < rooms.size) throw new ProtocolError('NOT_FOUND', 'no such chatroom');
  }

  /**
   * Records the files the items name. Locks each file's row (in sorted order) and checks it is not collected, inside
   * the transaction: a sweep deciding meanwhile that it is unreferenced finds it referenced when its own update gets
   * the row.
   */
  private async referenceFiles(c: Queryable, items: readonly AppendItem[], seqs: readonly number[]): Promise<void> {
    const named: Array<{ convId: string; seq: number; fileId: string }> = [];
    items.forEach((item, i) => {
      for (const fileId of new Set(item.fileIds ?? [])) named.push({ convId: item.convId, seq: seqs[i]!, fileId });
    });
    if (named.length === 0) return;
    const fileIds = [...new Set(named.map((n) => n.fileId))];
    const kept = await this.rows(
      'UPDATE files SET unreferenced_since = NULL FROM (SELECT file_id FROM files WHERE file_id = ANY($1::text[]) AND collected_at IS NULL ORDER BY file_id FOR UPDATE) l WHERE files.file_id = l.file_id RETURNING 1',
      [fileIds],
      c,
    );
    if (kept.length < fileIds.length) throw new ProtocolError('NOT_FOUND', 'the file is no longer stored: upload it again');
    await c.query(
      `WITH e AS (INSERT INTO entry_files (conv_id, seq, file_id) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[]) ON CONFLICT DO NOTHING)
       INSERT INTO file_refs (file_id, conv_id) SELECT * FROM unnest($3::text[], $1::text[]) ON CONFLICT DO NOTHING`,
      [named.map((n) => n.convId), named.map((n) => n.seq), named.map((n) => n.fileId)],
    );
  }

  /**
   * Runs inside the caller's transaction, after entries naming `fileIds` in `convId` were removed: the
   * conversation's members lose access to a file no other entry of it names, and a file no entry names at all
   * starts its grace period.
   */
  private async dropFileReferences(c: Queryable, convId: string, fileIds: readonly string[], now: number): Promise<void> {
    for (const fileId of fileIds) {
      if (!(await this.one('SELECT 1 FROM entry_files WHERE file_id = $1 AND conv_id = $2 LIMIT 1', [fileId, convId], c))) {
        await c.query('DELETE FROM file_refs WHERE file_id = $1 AND conv_id = $2', [fileId, convId]);
      }
      if (!(await this.one('SELECT 1 FROM entry_files WHERE file_id = $1 LIMIT 1', [fileId], c))) {
        await c.query('UPDATE files SET unreferenced_since = $1 WHERE file_id = $2 AND unreferenced_since IS NULL', [now, fileId]);
      }
    }
  }

  /** Locks the conversation's row for the rest of the transaction (see appendRows). */
  private async lockConversation(c: Queryable, convId: string): Promise<void> {
    await c.query('SELECT 1 FROM conversations WHERE conv_id = $1 FOR UPDATE', [convId]);
  }

  async recall(item: AppendItem, targetSeq: number): Promise<LogEntry> {
    return this.tx(async (c) => {
      await this.lockConversation(c, item.convId);
      const target = await this.one<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conv_id = $1 AND seq = $2`, [item.convId, targetSeq], c);
      if (!target) throw new Error('recall target missing');
      await c.query("UPDATE messages SET recalled = true, body = '{}', mentions = NULL WHERE conv_id = $1 AND seq = $2", [item.convId, targetSeq]);
      // PostgreSQL's JSON functions refuse a body holding an escaped U+0000 (text may): those few edits are read here.
      await c.query(
        `UPDATE messages SET recalled = true, body = '{}' WHERE conv_id = $1 AND kind = 'edit' AND sender = $2 AND NOT recalled
           AND CASE WHEN strpos(body, $4) > 0 THEN false ELSE (body::json ->> 'seq') = $3::text END`,
        [item.convId, target.sender, targetSeq, NUL_ESCAPE],
      );
      const unparsed = await this.rows<{ seq: number; body: string }>(
        "SELECT seq, body FROM messages WHERE conv_id = $1 AND kind = 'edit' AND sender = $2 AND NOT recalled AND strpos(body, $3) > 0",
        [item.convId, target.sender, NUL_ESCAPE],
        c,
      );
      for (const edit of unparsed) {
        if ((JSON.parse(edit.body) as { seq?: unknown }).seq !== targetSeq) continue;
        await c.query("UPDATE messages SET recalled = true, body = '{}' WHERE conv_id = $1 AND seq = $2", [item.convId, edit.seq]);
      }
      const fileIds = (await this.rows<{ file_id: string }>('SELECT file_id FROM entry_files WHERE conv_id = $1 AND seq = $2', [item.convId, targetSeq], c)).map((r) => r.file_id);
      await c.query('DELETE FROM entry_files WHERE conv_id = $1 AND seq = $2', [item.convId, targetSeq]);
      await this.dropFileReferences(c, item.convId, fileIds, item.ts);
      return (await this.appendRows(c, [item]))[0]!.entry;
    });
  }

  async getEntry(convId: string, seq: number) {
    const row = await this.one<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conv_id = $1 AND seq = $2`, [convId, seq]);
    return row ? toEntry(row) : null;
  }

  private readonly byClientMsgId = new PairLookup<LogEntry>(async (senders, clientIds) => {
    const rows = await this.rows<MessageRow>(BY_CLIENT_IDS, [senders, clientIds]);
    return new Map(rows.map((r) => [pairKey(r.sender, r.client_msg_id), toEntry(r)]));
  });

  async findByClientMsgId(from: string, clientMsgId: string) {
    return (await this.byClientMsgId.get(from, clientMsgId)) ?? null;
  }

  async history(convId: string, query: HistoryQuery) {
    let rows: MessageRow[];
    if (query.afterSeq !== undefined) {
      rows = await this.rows<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conv_id = $1 AND seq > $2 ORDER BY seq ASC LIMIT $3`, [convId, query.afterSeq, query.limit]);
    } else if (query.beforeSeq !== undefined) {
      rows = await this.rows<MessageRow>(
        `SELECT * FROM (SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conv_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3) t ORDER BY seq ASC`,
        [convId, query.beforeSeq, query.limit],
      );
    } else {
      rows = await this.rows<MessageRow>(`SELECT * FROM (SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conv_id = $1 ORDER BY seq DESC LIMIT $2) t ORDER BY seq ASC`, [
        convId,
        query.limit,
      ]);
    }
    return rows.map(toEntry);
  }

  async lastSeq(convId: string) {
    return (await this.one<{ last_seq: number }>('SELECT last_seq FROM conversations WHERE conv_id = $1', [convId]))?.last_seq ?? 0;
  }

  // --- users and tokens

  async createUser(user: { userId: string; name: string; avatar?: string | null; passwordHash?: string | null }, now: number) {
    const n = await this.run('INSERT INTO users (user_id, name, avatar, password_hash, created_at, name_folded) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING', [
      user.userId,
      user.name,
      user.avatar ?? null,
      user.passwordHash ?? null,
      now,
      foldName(user.name),
    ]);
    return n === 1;
  }
  async updateUser(user: { userId: string; name: string; avatar?: string | null }) {
    return this.tx(async (c) => {
      const updated = (await this.run('UPDATE users SET name = $1, avatar = $2, name_folded = $3 WHERE user_id = $4', [user.name, user.avatar ?? null, foldName(user.name), user.userId], c)) === 1;
      if (updated) await this.deleteOtherAvatars(user.userId, user.avatar ?? null, c);
      return updated;
    });
  }
  /** An avatar the user no longer shows is deleted with the change that replaced it. */
  private async deleteOtherAvatars(userId: string, avatar: string | null, c: Queryable): Promise<void> {
    await this.run("DELETE FROM avatars WHERE user_id = $1 AND '/v1/avatars/' || avatar_id IS DISTINCT FROM $2", [userId, avatar], c);
  }
  async updateProfile(userId: string, profile: { name?: string; status?: string }) {
    const name = profile.name ?? null;
    const status = profile.status ?? null;
    const n = await this.run(
      'UPDATE users SET name = COALESCE($2, name), name_folded = COALESCE($3, name_folded), status = COALESCE($4, status) WHERE user_id = $1',
      [userId, name, name === null ? null : foldName(name), status],
    );
    return n === 1;
  }
  async setAvatar(userId: string, avatar: AvatarUpload | null, now: number) {
    return this.tx(async (c) => {
      if ((await this.run('UPDATE users SET avatar = $1 WHERE user_id = $2', [avatar?.path ?? null, userId], c)) !== 1) return false;
      await this.deleteOtherAvatars(userId, avatar?.path ?? null, c);
      for (const image of avatar?.images ?? []) {
        await this.run('INSERT INTO avatars (avatar_id, size, user_id, mime, bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [avatar!.avatarId, image.size, userId, image.mime, image.bytes, now], c);
      }
      return true;
    });
  }
  async getAvatarImage(avatarId: string, size: number): Promise<AvatarImage | null> {
    return (await this.one<AvatarImage & QueryResultRow>('SELECT size, mime, bytes FROM avatars WHERE avatar_id = $1 AND size = $2', [avatarId, size])) ?? null;
  }
  async profileAudience(userId: string) {
    return (await this.rows<{ user_id: string }>(profileAudienceSql('$1'), [userId])).map((r) => r.user_id);
  }
  async searchUsers(search: UserSearch) {
    const rows = await this.rows<UserRow & { rank: number }>(SEARCH_USERS, [
      search.searcher,
      search.id,
      search.id === '' ? '' : `${likeLiteral(search.id)}%`,
      `%${likeLiteral(search.folded)}%`,
      search.scope === 'none' ? 0 : 1,
      search.scope === 'shared' ? 1 : 0,
      search.after?.rank ?? -1,
      search.after?.id ?? '',
      search.limit,
    ]);
    return rows.map((row) => ({ user: toUser(row), rank: row.rank }));
  }
  async setDiscoverable(userId: string, discoverable: boolean) {
    return (await this.run('UPDATE users SET discoverable = $1 WHERE user_id = $2', [discoverable, userId])) === 1;
  }
  async getUser(userId: string) {
    const row = await this.one<UserRow>('SELECT * FROM users WHERE user_id = $1', [userId]);
    return row ? toUser(row) : null;
  }
  async getUsers(userIds: readonly string[]) {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return [];
    const byId = new Map((await this.rows<UserRow>('SELECT * FROM users WHERE user_id = ANY($1::text[])', [ids])).map((r) => [r.user_id, r]));
    const out: UserRecord[] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (row) out.push(toUser(row));
    }
    return out;
  }
  async setBannedUntil(userId: string, untilTs: number) {
    await this.run('UPDATE users SET banned_until = $1 WHERE user_id = $2', [untilTs, userId]);
  }
  async replacePasswordHash(userId: string, oldHash: string, newHash: string) {
    return (await this.run('UPDATE users SET password_hash = $1 WHERE user_id = $2 AND password_hash = $3', [newHash, userId, oldHash])) === 1;
  }
  async setLastSeen(userId: string, ts: number) {
    await this.run('UPDATE users SET last_seen = $1 WHERE user_id = $2', [ts, userId]);
  }
  async insertToken(tokenHash: string, userId: string, createdAt: number, expiresAt: number) {
    await this.run('INSERT INTO tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [tokenHash, userId, createdAt, expiresAt]);
  }
  async getToken(tokenHash: string): Promise<TokenRecord | null> {
    const row = await this.one<{ user_id: string; expires_at: number; revoked: boolean }>('SELECT user_id, expires_at, revoked FROM tokens WHERE token_hash = $1', [tokenHash]);
    return row ? { userId: row.user_id, expiresAt: row.expires_at, revoked: row.revoked } : null;
  }
  async revokeUserTokens(userId: string) {
    await this.run('UPDATE tokens SET revoked = true WHERE user_id = $1 AND NOT revoked', [userId]);
  }
  async recordTokenUse(uses: readonly TokenUse[]) {
    if (uses.length === 0) return;
    await this.tx(async (c) => {
      for (const u of uses) {
        if (u.device) {
          await c.query('UPDATE tokens SET device_id = $1, platform = $2, app = $3, last_seen = GREATEST(last_seen, $4) WHERE token_hash = $5', [
            u.device.deviceId,
            u.device.platform,
            u.device.app,
            u.seenAt,
            u.tokenHash,
          ]);
        } else {
          await c.query('UPDATE tokens SET last_seen = GREATEST(last_seen, $1) WHERE token_hash = $2', [u.seenAt, u.tokenHash]);
        }
      }
    });
  }
  async listSessions(userId: string, now: number): Promise<SessionRecord[]> {
    const rows = await this.rows<{ token_hash: string; device_id: string | null; platform: string; app: string; created_at: number; last_seen: number }>(
      'SELECT token_hash, device_id, platform, app, created_at, last_seen FROM tokens WHERE user_id = $1 AND NOT revoked AND expires_at > $2 ORDER BY created_at, token_hash',
      [userId, now],
    );
    return rows.map((r) => ({ tokenHash: r.token_hash, deviceId: r.device_id, platform: r.platform, app: r.app, createdAt: r.created_at, lastSeen: r.last_seen }));
  }
  async revokeTokens(userId: string, tokenHashes: readonly string[]) {
    return this.tx(async (c) => {
      const revoked: string[] = [];
      for (const h of tokenHashes) {
        if ((await this.run('UPDATE tokens SET revoked = true WHERE token_hash = $1 AND user_id = $2 AND NOT revoked', [h, userId], c)) === 1) revoked.push(h);
      }
      return revoked;
    });
  }
  async setPassword(userId: string, passwordHash: string, keepTokenHash: string) {
    return this.tx(async (c) => {
      await c.query('UPDATE users SET password_hash = $1 WHERE user_id = $2', [passwordHash, userId]);
      const rows = await this.rows<{ token_hash: string }>(
        'UPDATE tokens SET revoked = true WHERE user_id = $1 AND token_hash <> $2 AND NOT revoked RETURNING token_hash',
        [userId, keepTokenHash],
        c,
      );
      return rows.map((r) => r.token_hash);
    });
  }
  async pruneTokens(expiredBefore: number) {
    return this.run('DELETE FROM tokens WHERE revoked OR expires_at < $1', [expiredBefore]);
  }

  // --- invites

  async createInvite(invite: InviteRecord) {
    await this.run('INSERT INTO invites (code, uses_left, expires_at, created_at) VALUES ($1, $2, $3, $4)', [invite.code, invite.usesLeft, invite.expiresAt, invite.createdAt]);
  }
  async listInvites() {
    return (await this.rows<InviteRow>('SELECT * FROM invites ORDER BY created_at, code')).map(toInvite);
  }
  async deleteInvite(code: string) {
    return (await this.run('DELETE FROM invites WHERE code = $1', [code])) === 1;
  }
  async usableInvite(code: string, now: number) {
    const row = await this.one<InviteRow>('SELECT * FROM invites WHERE code = $1 AND uses_left > 0 AND (expires_at IS NULL OR expires_at > $2)', [code, now]);
    return row ? toInvite(row) : null;
  }
  async createUserWithInvite(user: { userId: string; name: string; passwordHash: string }, code: string, now: number) {
    return this.tx(async (c): Promise<'created' | 'conflict' | 'invalid-invite'> => {
      // Locks the code's row: two registrations cannot both take its last use.
      const invite = await this.one('SELECT 1 FROM invites WHERE code = $1 AND uses_left > 0 AND (expires_at IS NULL OR expires_at > $2) FOR UPDATE', [code, now], c);
      if (!invite) return 'invalid-invite';
      const inserted = await this.run('INSERT INTO users (user_id, name, avatar, password_hash, created_at, name_folded) VALUES ($1, $2, NULL, $3, $4, $5) ON CONFLICT DO NOTHING', [
        user.userId,
        user.name,
        user.passwordHash,
        now,
        foldName(user.name),
      ], c);
      if (inserted !== 1) return 'conflict';
      await c.query('UPDATE invites SET uses_left = uses_left - 1 WHERE code = $1 AND uses_left > 0', [code]);
      return 'created';
    });
  }

  // --- conversations

  async listConversations(userId: string) {
    const rows = await this.rows<ConvJoinRow>(`${CONV_SELECT} WHERE m.user_id = $1 AND m.active AND c.kind <> 'room' ORDER BY c.updated_at DESC, c.conv_id`, [userId]);
    return rows.map(toConversation);
  }
  async getConversation(userId: string, convId: string) {
    const row = await this.one<ConvJoinRow>(`${CONV_SELECT} WHERE m.user_id = $1 AND m.conv_id = $2`, [userId, convId]);
    return row ? toConversation(row) : null;
  }
  async members(convId: string) {
    return (await this.rows<{ user_id: string }>('SELECT user_id FROM conv_members WHERE conv_id = $1 AND active ORDER BY user_id', [convId])).map((r) => r.user_id);
  }
  async isMember(convId: string, userId: string) {
    return (await this.one('SELECT 1 FROM conv_members WHERE conv_id = $1 AND user_id = $2 AND active', [convId, userId])) !== undefined;
  }
  async raiseReadSeq(convId: string, userId: string, seq: number) {
    const row = await this.one<{ read_seq: number }>(
      `UPDATE conv_members SET read_seq = GREATEST(read_seq, LEAST($1::bigint, (SELECT last_seq FROM conversations c WHERE c.conv_id = conv_members.conv_id)))
       WHERE conv_id = $2 AND user_id = $3 RETURNING read_seq`,
      [seq, convId, userId],
    );
    return row?.read_seq ?? 0;
  }
  async updateMemberSettings(convId: string, userId: string, settings: { muted?: boolean; pinned?: boolean }) {
    if (settings.muted === undefined && settings.pinned === undefined) return true;
    const n = await this.run('UPDATE conv_members SET muted = coalesce($1, muted), pinned = coalesce($2, pinned) WHERE conv_id = $3 AND user_id = $4', [
      settings.muted ?? null,
      settings.pinned ?? null,
      convId,
      userId,
    ]);
    return n > 0;
  }
  async presenceViewers(userId: string) {
    return (await this.rows<{ user_id: string }>(presencePairs('v.user_id', 's.user_id = $1'), [userId])).map((r) => r.user_id);
  }
  async presenceVisible(viewer: string, subjects: readonly string[]) {
    if (subjects.length === 0) return [];
    return (await this.rows<{ user_id: string }>(presencePairs('s.user_id', 'v.user_id = $1 AND s.user_id = ANY($2::text[])'), [viewer, [...subjects]])).map((r) => r.user_id);
  }
  async memberStates(convId: string): Promise<MemberState[]> {
    const rows = await this.rows<{ user_id: string; read_seq: number; muted: boolean; pinned: boolean }>(
      'SELECT user_id, read_seq, muted, pinned FROM conv_members WHERE conv_id = $1 AND active ORDER BY user_id',
      [convId],
    );
    return rows.map((r) => ({ userId: r.user_id, readSeq: r.read_seq, muted: r.muted, pinned: r.pinned }));
  }
  async readCount(convId: string, seq: number, except: string) {
    const row = await this.one<{ count: number; total: number }>(
      'SELECT COUNT(*) FILTER (WHERE read_seq >= $1) AS count, COUNT(*) AS total FROM conv_members WHERE conv_id = $2 AND active AND user_id <> $3',
      [seq, convId, except],
    );
    return { count: row?.count ?? 0, total: row?.total ?? 0 };
  }

  // --- groups

  async createGroup(group: GroupRecord, members: ReadonlyArray<{ userId: string; role: GroupRole }>, entry: AppendItem): Promise<LogEntry | null> {
    const convId = groupConvId(group.groupId);
    const stored = await this.tx(async (c) => {
      const inserted = await this.run(
        'INSERT INTO chat_groups (group_id, name, announcement, join_policy, muted_all_until, created_at, is_public, name_folded) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING',
        [group.groupId, group.name, group.announcement, group.joinPolicy, group.mutedAllUntil, group.createdAt, group.public, foldName(group.name)],
        c,
      );
      if (inserted === 0) return null;
      await c.query('INSERT INTO conversations (conv_id, kind, created_at, updated_at) VALUES ($1, $2, $3, $3) ON CONFLICT DO NOTHING', [convId, 'group', group.createdAt]);
      for (const m of members) await this.addMember(c, convId, m.userId, group.createdAt, 0, m.role);
      return (await this.appendRows(c, [entry]))[0]!.entry;
    });
    if (stored) this.knownConversations.add(convId);
    return stored;
  }

  /** A (re)joining member starts reading at the entry that adds them, not at the group's first entry. */
  private async addMember(c: Queryable, convId: string, userId: string, joinedAt: number, readSeq: number, role: GroupRole): Promise<void> {
    await c.query(
      `INSERT INTO conv_members (conv_id, user_id, joined_at, read_seq, role) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (conv_id, user_id) DO UPDATE SET active = true, role = excluded.role, speak_muted_until = 0,
         joined_at = excluded.joined_at, read_seq = GREATEST(conv_members.read_seq, excluded.read_seq)`,
      [convId, userId, joinedAt, readSeq, role],
    );
  }

  async loadGroup(groupId: string): Promise<{ group: GroupRecord; members: GroupMemberRecord[] } | null> {
    // Read together: one snapshot for both.
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const on: Queryable = { query: (text, values = []) => client.query(text, storable(values)) };
      const row = await this.one<GroupRow>('SELECT * FROM chat_groups WHERE group_id = $1', [groupId], on);
      const members = row
        ? await this.rows<{ user_id: string; role: string; speak_muted_until: number }>(
            'SELECT user_id, role, speak_muted_until FROM conv_members WHERE conv_id = $1 AND active ORDER BY user_id',
            [groupConvId(groupId)],
            on,
          )
        : [];
      await client.query('COMMIT');
      if (!row) return null;
      return { group: toGroup(row), members: members.map((m) => ({ userId: m.user_id, role: m.role as GroupRole, mutedUntil: m.speak_muted_until })) };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async changeGroup(change: GroupChange, entry: AppendItem): Promise<LogEntry> {
    const convId = groupConvId(change.groupId);
    return this.tx(async (c) => {
      await this.lockConversation(c, convId);
      const set = change.set;
      if (set) {
        await c.query(
          `UPDATE chat_groups SET name = coalesce($1, name), announcement = coalesce($2, announcement), join_policy = coalesce($3, join_policy),
             muted_all_until = coalesce($4::bigint, muted_all_until), dismissed_at = coalesce($5::bigint, dismissed_at),
             is_public = coalesce($7::boolean, is_public), name_folded = coalesce($8, name_folded)
           WHERE group_id = $6`,
          [
            set.name ?? null,
            set.announcement ?? null,
            set.joinPolicy ?? null,
            set.mutedAllUntil ?? null,
            set.dismissedAt ?? null,
            change.groupId,
            set.public ?? null,
            set.name === undefined ? null : foldName(set.name),
          ],
        );
      }
      if (change.add && change.add.length > 0) {
        const readFrom = (await this.one<{ last_seq: number }>('SELECT last_seq FROM conversations WHERE conv_id = $1', [convId], c))?.last_seq ?? 0;
        for (const userId of change.add) await this.addMember(c, convId, userId, entry.ts, readFrom, 'member');
      }
      for (const userId of change.remove ?? []) {
        await c.query("UPDATE conv_members SET active = false, role = 'member', speak_muted_until = 0 WHERE conv_id = $1 AND user_id = $2", [convId, userId]);
      }
      for (const r of change.roles ?? []) await c.query('UPDATE conv_members SET role = $1 WHERE conv_id = $2 AND user_id = $3 AND active', [r.role, convId, r.userId]);
      for (const m of change.mutes ?? []) {
        await c.query('UPDATE conv_members SET speak_muted_until = $1 WHERE conv_id = $2 AND user_id = $3 AND active', [m.untilTs, convId, m.userId]);
      }
      if (change.dropRequests === 'all') await c.query('DELETE FROM group_requests WHERE group_id = $1', [change.groupId]);
      else for (const userId of change.dropRequests ?? []) await c.query('DELETE FROM group_requests WHERE group_id = $1 AND user_id = $2', [change.groupId, userId]);
      return (await this.appendRows(c, [entry]))[0]!.entry;
    });
  }

  async putJoinRequest(groupId: string, request: JoinRequestRecord) {
    await this.run(
      'INSERT INTO group_requests (group_id, user_id, note, ts) VALUES ($1, $2, $3, $4) ON CONFLICT (group_id, user_id) DO UPDATE SET note = excluded.note, ts = excluded.ts',
      [groupId, request.userId, request.note, request.ts],
    );
  }
  async joinRequests(groupId: string): Promise<JoinRequestRecord[]> {
    const rows = await this.rows<{ user_id: string; note: string; ts: number }>('SELECT user_id, note, ts FROM group_requests WHERE group_id = $1 ORDER BY ts, user_id', [groupId]);
    return rows.map((r) => ({ userId: r.user_id, note: r.note, ts: r.ts }));
  }
  async getJoinRequest(groupId: string, userId: string): Promise<JoinRequestRecord | null> {
    const r = await this.one<{ user_id: string; note: string; ts: number }>('SELECT user_id, note, ts FROM group_requests WHERE group_id = $1 AND user_id = $2', [groupId, userId]);
    return r ? { userId: r.user_id, note: r.note, ts: r.ts } : null;
  }
  async deleteJoinRequest(groupId: string, userId: string) {
    return (await this.run('DELETE FROM group_requests WHERE group_id = $1 AND user_id = $2', [groupId, userId])) > 0;
  }
  async searchGroups(search: GroupSearch): Promise<GroupListingRecord[]> {
    const rows = await this.rows<GroupRow & { rank: number; member_count: number }>(SEARCH_GROUPS, [
      search.id,
      `%${likeLiteral(search.folded)}%`,
      search.after?.rank ?? -1,
      search.after?.id ?? '',
      search.limit,
    ]);
    return rows.map((row) => ({ group: toGroup(row), memberCount: Number(row.member_count), rank: row.rank }));
  }

  // --- chatrooms

  async putRoom(room: RoomRecord) {
    return this.tx(async (c) => {
      const created = (await this.run('INSERT INTO rooms (room_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [room.roomId, room.name, room.createdAt], c)) === 1;
      if (!created) await c.query('UPDATE rooms SET name = $1 WHERE room_id = $2', [room.name, room.roomId]);
      await c.query('INSERT INTO conversations (conv_id, kind, created_at, updated_at) VALUES ($1, $2, $3, $3) ON CONFLICT DO NOTHING', [
        roomConvId(room.roomId),
        'room',
        room.createdAt,
      ]);
      return created;
    });
  }
  async listRooms(): Promise<RoomRecord[]> {
    const rows = await this.rows<{ room_id: string; name: string; created_at: number }>('SELECT * FROM rooms ORDER BY room_id');
    return rows.map((r) => ({ roomId: r.room_id, name: r.name, createdAt: r.created_at }));
  }
  async deleteRoom(roomId: string) {
    const convId = roomConvId(roomId);
    const deleted = await this.tx(async (c) => {
      // The conversation's row first, as appends lock it: none is half-way through this room's log meanwhile.
      await this.lockConversation(c, convId);
      if ((await this.run('DELETE FROM rooms WHERE room_id = $1', [roomId], c)) === 0) return false;
      await c.query('DELETE FROM messages WHERE conv_id = $1', [convId]);
      const fileIds = (await this.rows<{ file_id: string }>('SELECT DISTINCT file_id FROM entry_files WHERE conv_id = $1', [convId], c)).map((r) => r.file_id);
      await c.query('DELETE FROM entry_files WHERE conv_id = $1', [convId]);
      await this.dropFileReferences(c, convId, fileIds, Date.now());
      await c.query('DELETE FROM file_refs WHERE conv_id = $1', [convId]);
      await c.query('DELETE FROM conversations WHERE conv_id = $1', [convId]);
      return true;
    });
    // A room created again under this id starts a new log, so its conversation row must be ensured again.
    this.knownConversations.delete(convId);
    return deleted;
  }

  // --- blocks

  async block(blocker: string, blocked: string, now: number) {
    await this.run('INSERT INTO blocks (blocker, blocked, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [blocker, blocked, now]);
  }
  async unblock(blocker: string, blocked: string) {
    await this.run('DELETE FROM blocks WHERE blocker = $1 AND blocked = $2', [blocker, blocked]);
  }
  async blocks(blocker: string) {
    return (await this.rows<{ blocked: string }>('SELECT blocked FROM blocks WHERE blocker = $1 ORDER BY created_at, blocked', [blocker])).map((r) => r.blocked);
  }
  private readonly blocked = new PairLookup<true>(async (blockers, blockeds) => {
    const rows = await this.rows<{ blocker: string; blocked: string }>(
      'SELECT blocker, blocked FROM blocks WHERE (blocker, blocked) IN (SELECT * FROM unnest($1::text[], $2::text[]))',
      [blockers, blockeds],
    );
    return new Map(rows.map((r) => [pairKey(r.blocker, r.blocked), true]));
  });

  async isBlocked(blocker: string, blocked: string) {
    return (await this.blocked.get(blocker, blocked)) === true;
  }
  async blockersAmong(blocked: string, candidates: readonly string[]) {
    if (candidates.length === 0) return [];
    return (await this.rows<{ blocker: string }>('SELECT blocker FROM blocks WHERE blocked = $1 AND blocker = ANY($2::text[])', [blocked, [...candidates]])).map((r) => r.blocker);
  }

  // --- contacts

  async changeContacts<T>(a: string, b: string, decide: ContactDecision<T>, now: number) {
    return this.tx((c) => pgContacts.changeContacts(c, a, b, decide, now));
  }
  async contactsOf(userId: string) {
    return this.snapshot((c) => pgContacts.contactsOf(c, userId));
  }
  async contactLog(userId: string, afterSeq: number, limit: number) {
    return this.snapshot((c) => pgContacts.contactLog(c, userId, afterSeq, limit));
  }
  async isContact(userId: string, other: string) {
    return (await this.one('SELECT 1 FROM contacts WHERE user_id = $1 AND contact_id = $2', [userId, other])) !== undefined;
  }

  // --- files

  async insertFile(file: FileRecord) {
    // A new file is unreferenced until an entry names it: its grace period starts at the upload.
    await this.run('INSERT INTO files (file_id, uploader, name, mime, size, created_at, unreferenced_since) VALUES ($1, $2, $3, $4, $5, $6, $6)', [
      file.fileId,
      file.uploader,
      file.name,
      file.mime,
      file.size,
      file.createdAt,
    ]);
  }
  async getFile(fileId: string): Promise<FileRecord | null> {
    const row = await this.one<{ file_id: string; uploader: string; name: string; mime: string; size: number; created_at: number }>(
      'SELECT file_id, uploader, name, mime, size, created_at FROM files WHERE file_id = $1 AND collected_at IS NULL',
      [fileId],
    );
    return row ? { fileId: row.file_id, uploader: row.uploader, name: row.name, mime: row.mime, size: row.size, createdAt: row.created_at } : null;
  }
  async mayReadFile(fileId: string, userId: string) {
    // Chatrooms keep no members in storage and anyone may join one, so a file sent in a room is readable by anyone.
    const row = await this.one(
      `SELECT 1 FROM files WHERE file_id = $1 AND uploader = $2 AND collected_at IS NULL
       UNION ALL
       SELECT 1 FROM file_refs r JOIN conv_members m ON m.conv_id = r.conv_id AND m.active WHERE r.file_id = $1 AND m.user_id = $2
       UNION ALL
       SELECT 1 FROM file_refs r JOIN rooms ro ON r.conv_id = 'r:' || ro.room_id WHERE r.file_id = $1
       LIMIT 1`,
      [fileId, userId],
    );
    return row !== undefined;
  }
  async uploadedBytes(userId: string) {
    return (await this.one<{ bytes: number }>('SELECT coalesce(SUM(size), 0) AS bytes FROM files WHERE uploader = $1 AND collected_at IS NULL', [userId]))?.bytes ?? 0;
  }
  async storedFileBytes() {
    return (await this.one<{ bytes: number }>('SELECT coalesce(SUM(size), 0) AS bytes FROM files WHERE collected_at IS NULL'))?.bytes ?? 0;
  }
  async markCollectable(unreferencedBefore: number, now: number, limit: number): Promise<CollectedFile[]> {
    return this.tx(async (c) => {
      const found: CollectedFile[] = [
        ...(
          await this.rows<{ file_id: string; size: number }>(
            `SELECT file_id, size FROM files
             WHERE unreferenced_since IS NOT NULL AND unreferenced_since <= $1 AND collected_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM entry_files e WHERE e.file_id = files.file_id)
             LIMIT $2`,
            [unreferencedBefore, limit],
            c,
          )
        ).map((r) => ({ fileId: r.file_id, size: r.size, reason: 'unreferenced' as const })),
        ...(
          await this.rows<{ file_id: string; size: number }>(
            'SELECT file_id, size FROM files WHERE collected_at IS NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.user_id = files.uploader) LIMIT $1',
            [limit],
            c,
          )
        ).map((r) => ({ fileId: r.file_id, size: r.size, reason: 'uploader-gone' as const })),
      ];
      const marked: CollectedFile[] = [];
      for (const file of found) {
        // The reason is checked again on the locked row: an append naming the file meanwhile cleared
        // unreferenced_since (and holds the row until it commits).
        const reason =
          file.reason === 'unreferenced'
            ? 'unreferenced_since IS NOT NULL AND unreferenced_since <= $3'
            : 'NOT EXISTS (SELECT 1 FROM users u WHERE u.user_id = files.uploader) AND $3::bigint IS NOT NULL';
        const n = await this.run(`UPDATE files SET collected_at = $1 WHERE file_id = $2 AND collected_at IS NULL AND ${reason}`, [now, file.fileId, unreferencedBefore], c);
        if (n === 0) continue; // in both lists, or referenced meanwhile
        await c.query('DELETE FROM file_refs WHERE file_id = $1', [file.fileId]);
        await c.query('DELETE FROM entry_files WHERE file_id = $1', [file.fileId]);
        marked.push(file);
      }
      return marked;
    });
  }
  async collectedFiles(limit: number) {
    return (await this.rows<{ file_id: string }>('SELECT file_id FROM files WHERE collected_at IS NOT NULL LIMIT $1', [limit])).map((r) => r.file_id);
  }
  async forgetFiles(fileIds: readonly string[]) {
    if (fileIds.length === 0) return;
    await this.run('DELETE FROM files WHERE file_id = ANY($1::text[]) AND collected_at IS NOT NULL', [[...fileIds]]);
  }

  // --- admin and settings

  async rememberNonce(nonce: string, ts: number) {
    return (await this.run('INSERT INTO admin_nonces (nonce, ts) VALUES ($1, $2) ON CONFLICT DO NOTHING', [nonce, ts])) === 1;
  }
  async pruneNonces(olderThan: number) {
    await this.run('DELETE FROM admin_nonces WHERE ts < $1', [olderThan]);
  }
  async getSetting(key: string) {
    return (await this.one<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]))?.value ?? null;
  }
  async setSetting(key: string, value: string) {
    await this.run('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async ping() {
    await this.pool.query('SELECT 1');
  }

  /** PostgreSQL's synchronous_commit as the server reported it at start (`on`: a commit is flushed to its WAL). */
  durability(): string {
    return `postgres synchronous_commit=${this.synchronousCommit}`;
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
