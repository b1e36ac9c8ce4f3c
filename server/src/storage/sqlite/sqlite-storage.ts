/** The default Storage: one SQLite file in WAL mode through better-sqlite3. */
import fs from 'node:fs';
import path from 'node:path';
import DatabaseCtor, { type Database } from 'better-sqlite3';
import type { ConvKindName, EntryKind, LogEntry } from '../../../../protocol/index.js';
import type {
  AppendItem,
  AppendOutcome,
  ConversationRow,
  FileRecord,
  HistoryQuery,
  Storage,
  TokenRecord,
  UserRecord,
} from '../storage.js';
import { Checkpointer } from './checkpointer.js';
import { migrate } from './migrations.js';

interface MessageRow {
  conv_id: string;
  seq: number;
  msg_id: string;
  client_msg_id: string;
  sender: string;
  ts: number;
  kind: string;
  body: string;
  mentions: string | null;
  reply_to: number | null;
  recalled: number;
}

interface UserRow {
  user_id: string;
  name: string;
  avatar: string | null;
  password_hash: string | null;
  created_at: number;
  banned_until: number;
  last_seen: number;
}

function toEntry(row: MessageRow): LogEntry {
  const entry = {
    convId: row.conv_id,
    seq: row.seq,
    msgId: row.msg_id,
    clientMsgId: row.client_msg_id,
    from: row.sender,
    ts: row.ts,
    kind: row.kind as EntryKind,
    body: JSON.parse(row.body) as Record<string, unknown>,
  } as LogEntry;
  if (row.mentions) entry.mentions = JSON.parse(row.mentions) as string[];
  if (row.reply_to !== null) entry.replyTo = row.reply_to;
  if (row.recalled) entry.recalled = true;
  return entry;
}

function toUser(row: UserRow): UserRecord {
  return {
    userId: row.user_id,
    name: row.name,
    avatar: row.avatar,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    bannedUntil: row.banned_until,
    lastSeen: row.last_seen,
  };
}

export interface SqliteStorageOptions {
  /** Path of the database file; ':memory:' for tests that need no file. */
  file: string;
}

export class SqliteStorage implements Storage {
  private readonly db: Database;
  private readonly stmt: ReturnType<SqliteStorage['prepare']>;
  private readonly checkpointer: Checkpointer | null;
  /** Conversations whose row and members are known to exist (committed), so appends skip re-ensuring them. */
  private readonly knownConversations = new Set<string>();

  constructor(options: SqliteStorageOptions) {
    if (options.file !== ':memory:') fs.mkdirSync(path.dirname(options.file), { recursive: true });
    this.db = new DatabaseCtor(options.file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit has reached the WAL file when it returns, so it survives the process
    // being killed (kill -9); only a power loss could lose the last transactions.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    this.stmt = this.prepare();
    if (options.file === ':memory:') {
      this.checkpointer = null;
    } else {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new Checkpointer(options.file);
    }
  }

  private prepare() {
    const db = this.db;
    return {
      insertUser: db.prepare('INSERT INTO users (user_id, name, avatar, password_hash, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      updateUser: db.prepare('UPDATE users SET name = ?, avatar = ? WHERE user_id = ?'),
      getUser: db.prepare<[string], UserRow>('SELECT * FROM users WHERE user_id = ?'),
      setBanned: db.prepare('UPDATE users SET banned_until = ? WHERE user_id = ?'),
      setLastSeen: db.prepare('UPDATE users SET last_seen = ? WHERE user_id = ?'),
      insertToken: db.prepare('INSERT INTO tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)'),
      getToken: db.prepare<[string], { user_id: string; expires_at: number; revoked: number }>(
        'SELECT user_id, expires_at, revoked FROM tokens WHERE token_hash = ?',
      ),
      revokeTokens: db.prepare('UPDATE tokens SET revoked = 1 WHERE user_id = ? AND revoked = 0'),
      findByClientId: db.prepare<[string, string], MessageRow>('SELECT * FROM messages WHERE sender = ? AND client_msg_id = ?'),
      ensureConv: db.prepare('INSERT INTO conversations (conv_id, kind, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      ensureMember: db.prepare('INSERT INTO conv_members (conv_id, user_id, joined_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      nextSeq: db.prepare<[number, string], { last_seq: number }>(
        'UPDATE conversations SET last_seq = last_seq + 1, updated_at = ? WHERE conv_id = ? RETURNING last_seq',
      ),
      insertMessage: db.prepare(
        'INSERT INTO messages (conv_id, seq, msg_id, client_msg_id, sender, ts, kind, body, mentions, reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertFileRef: db.prepare('INSERT INTO file_refs (file_id, conv_id) SELECT file_id, ? FROM files WHERE file_id = ? ON CONFLICT DO NOTHING'),
      getEntry: db.prepare<[string, number], MessageRow>('SELECT * FROM messages WHERE conv_id = ? AND seq = ?'),
      eraseEntry: db.prepare("UPDATE messages SET recalled = 1, body = '{}', mentions = NULL WHERE conv_id = ? AND seq = ?"),
      eraseEdits: db.prepare(
        "UPDATE messages SET recalled = 1, body = '{}' WHERE conv_id = ? AND kind = 'edit' AND sender = ? AND json_extract(body, '$.seq') = ?",
      ),
      historyAfter: db.prepare<[string, number, number], MessageRow>('SELECT * FROM messages WHERE conv_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?'),
      historyBefore: db.prepare<[string, number, number], MessageRow>(
        'SELECT * FROM (SELECT * FROM messages WHERE conv_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?) ORDER BY seq ASC',
      ),
      historyLatest: db.prepare<[string, number], MessageRow>(
        'SELECT * FROM (SELECT * FROM messages WHERE conv_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq ASC',
      ),
      lastSeq: db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM conversations WHERE conv_id = ?'),
      listConvs: db.prepare<[string], ConvJoinRow>(`
        SELECT c.conv_id, c.kind, c.last_seq, c.updated_at, m.read_seq, m.muted, m.pinned,
               p.user_id AS peer_id, p.read_seq AS peer_read_seq
        FROM conv_members m
        JOIN conversations c ON c.conv_id = m.conv_id
        LEFT JOIN conv_members p ON c.kind = 'private' AND p.conv_id = m.conv_id AND p.user_id <> m.user_id
        WHERE m.user_id = ? AND m.active = 1 AND c.kind <> 'room'
        ORDER BY c.updated_at DESC`),
      getConv: db.prepare<[string, string], ConvJoinRow>(`
        SELECT c.conv_id, c.kind, c.last_seq, c.updated_at, m.read_seq, m.muted, m.pinned,
               p.user_id AS peer_id, p.read_seq AS peer_read_seq
        FROM conv_members m
        JOIN conversations c ON c.conv_id = m.conv_id
        LEFT JOIN conv_members p ON c.kind = 'private' AND p.conv_id = m.conv_id AND p.user_id <> m.user_id
        WHERE m.user_id = ? AND m.conv_id = ?`),
      members: db.prepare<[string], { user_id: string }>('SELECT user_id FROM conv_members WHERE conv_id = ? AND active = 1'),
      isMember: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM conv_members WHERE conv_id = ? AND user_id = ? AND active = 1'),
      raiseRead: db.prepare<[number, string, string], { read_seq: number }>(`
        UPDATE conv_members SET read_seq = MAX(read_seq, MIN(?, (SELECT last_seq FROM conversations WHERE conv_id = conv_members.conv_id)))
        WHERE conv_id = ? AND user_id = ? RETURNING read_seq`),
      setMuted: db.prepare('UPDATE conv_members SET muted = ? WHERE conv_id = ? AND user_id = ?'),
      setPinned: db.prepare('UPDATE conv_members SET pinned = ? WHERE conv_id = ? AND user_id = ?'),
      privatePeers: db.prepare<[string], { user_id: string }>(`
        SELECT p.user_id FROM conv_members m
        JOIN conversations c ON c.conv_id = m.conv_id AND c.kind = 'private'
        JOIN conv_members p ON p.conv_id = m.conv_id AND p.user_id <> m.user_id
        WHERE m.user_id = ?`),
      block: db.prepare('INSERT INTO blocks (blocker, blocked, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      unblock: db.prepare('DELETE FROM blocks WHERE blocker = ? AND blocked = ?'),
      blocks: db.prepare<[string], { blocked: string }>('SELECT blocked FROM blocks WHERE blocker = ? ORDER BY created_at'),
      isBlocked: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM blocks WHERE blocker = ? AND blocked = ?'),
      insertFile: db.prepare('INSERT INTO files (file_id, uploader, name, mime, size, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      getFile: db.prepare<[string], { file_id: string; uploader: string; name: string; mime: string; size: number; created_at: number }>(
        'SELECT * FROM files WHERE file_id = ?',
      ),
      mayReadFile: db.prepare<[string, string, string, string], { one: number }>(`
        SELECT 1 AS one FROM files WHERE file_id = ? AND uploader = ?
        UNION ALL
        SELECT 1 FROM file_refs r JOIN conv_members m ON m.conv_id = r.conv_id AND m.active = 1
        WHERE r.file_id = ? AND m.user_id = ? LIMIT 1`),
      insertNonce: db.prepare('INSERT INTO admin_nonces (nonce, ts) VALUES (?, ?) ON CONFLICT DO NOTHING'),
      pruneNonces: db.prepare('DELETE FROM admin_nonces WHERE ts < ?'),
      getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      setSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
  }

  private readonly appendTxn = (items: readonly AppendItem[]): AppendOutcome[] => {
    const outcomes = this.db.transaction((batch: readonly AppendItem[]) => batch.map((item) => this.appendOne(item)))(items);
    for (const item of items) this.knownConversations.add(item.convId); // only after the commit
    return outcomes;
  };

  /** Runs inside the caller's transaction. */
  private appendOne(item: AppendItem): Exclude<AppendOutcome, { status: 'failed' }> {
    const existing = this.stmt.findByClientId.get(item.from, item.clientMsgId);
    if (existing) return { status: 'duplicate', entry: toEntry(existing) };
    if (!this.knownConversations.has(item.convId)) {
      this.stmt.ensureConv.run(item.convId, item.convKind, item.ts, item.ts);
      for (const member of item.members) this.stmt.ensureMember.run(item.convId, member, item.ts);
    }
    const next = this.stmt.nextSeq.get(item.ts, item.convId);
    if (!next) throw new Error(`conversation ${item.convId} vanished inside its transaction`);
    const seq = next.last_seq;
    const body = JSON.stringify(item.body);
    const mentions = item.mentions && item.mentions.length > 0 ? JSON.stringify(item.mentions) : null;
    this.stmt.insertMessage.run(item.convId, seq, item.msgId, item.clientMsgId, item.from, item.ts, item.kind, body, mentions, item.replyTo ?? null);
    for (const fileId of item.fileIds ?? []) this.stmt.insertFileRef.run(item.convId, fileId);
    const entry = {
      convId: item.convId,
      seq,
      msgId: item.msgId,
      clientMsgId: item.clientMsgId,
      from: item.from,
      ts: item.ts,
      kind: item.kind,
      body: item.body,
    } as LogEntry;
    if (mentions) entry.mentions = item.mentions;
    if (item.replyTo !== undefined) entry.replyTo = item.replyTo;
    return { status: 'stored', entry };
  }

  // --- users and tokens

  async createUser(user: { userId: string; name: string; avatar?: string | null; passwordHash?: string | null }, now: number) {
    return this.stmt.insertUser.run(user.userId, user.name, user.avatar ?? null, user.passwordHash ?? null, now).changes === 1;
  }
  async updateUser(user: { userId: string; name: string; avatar?: string | null }) {
    return this.stmt.updateUser.run(user.name, user.avatar ?? null, user.userId).changes === 1;
  }
  async getUser(userId: string) {
    const row = this.stmt.getUser.get(userId);
    return row ? toUser(row) : null;
  }
  async getUsers(userIds: readonly string[]) {
    const out: UserRecord[] = [];
    for (const id of new Set(userIds)) {
      const row = this.stmt.getUser.get(id);
      if (row) out.push(toUser(row));
    }
    return out;
  }
  async setBannedUntil(userId: string, untilTs: number) {
    this.stmt.setBanned.run(untilTs, userId);
  }
  async setLastSeen(userId: string, ts: number) {
    this.stmt.setLastSeen.run(ts, userId);
  }
  async insertToken(tokenHash: string, userId: string, createdAt: number, expiresAt: number) {
    this.stmt.insertToken.run(tokenHash, userId, createdAt, expiresAt);
  }
  async getToken(tokenHash: string): Promise<TokenRecord | null> {
    const row = this.stmt.getToken.get(tokenHash);
    return row ? { userId: row.user_id, expiresAt: row.expires_at, revoked: row.revoked === 1 } : null;
  }
  async revokeUserTokens(userId: string) {
    this.stmt.revokeTokens.run(userId);
  }

  // --- logs

  async appendBatch(items: readonly AppendItem[]): Promise<AppendOutcome[]> {
    try {
      return this.appendTxn(items);
    } catch {
      // One bad item must not fail its neighbours: retry each alone so only the culprit fails.
      return items.map((item) => {
        try {
          return this.appendTxn([item])[0]!;
        } catch (error) {
          return { status: 'failed', error: error as Error };
        }
      });
    }
  }

  async recall(item: AppendItem, targetSeq: number): Promise<LogEntry> {
    return this.db.transaction(() => {
      const target = this.stmt.getEntry.get(item.convId, targetSeq);
      if (!target) throw new Error('recall target missing');
      this.stmt.eraseEntry.run(item.convId, targetSeq);
      this.stmt.eraseEdits.run(item.convId, target.sender, targetSeq);
      return this.appendOne(item).entry;
    })();
  }

  async getEntry(convId: string, seq: number) {
    const row = this.stmt.getEntry.get(convId, seq);
    return row ? toEntry(row) : null;
  }

  async findByClientMsgId(from: string, clientMsgId: string) {
    const row = this.stmt.findByClientId.get(from, clientMsgId);
    return row ? toEntry(row) : null;
  }

  async history(convId: string, query: HistoryQuery) {
    let rows: MessageRow[];
    if (query.afterSeq !== undefined) rows = this.stmt.historyAfter.all(convId, query.afterSeq, query.limit);
    else if (query.beforeSeq !== undefined) rows = this.stmt.historyBefore.all(convId, query.beforeSeq, query.limit);
    else rows = this.stmt.historyLatest.all(convId, query.limit);
    return rows.map(toEntry);
  }

  async lastSeq(convId: string) {
    return this.stmt.lastSeq.get(convId)?.last_seq ?? 0;
  }

  // --- conversations

  private toConversation(row: ConvJoinRow): ConversationRow {
    const last = row.last_seq > 0 ? this.stmt.getEntry.get(row.conv_id, row.last_seq) : undefined;
    return {
      convId: row.conv_id,
      kind: row.kind as ConvKindName,
      lastSeq: row.last_seq,
      readSeq: row.read_seq,
      peerReadSeq: row.peer_read_seq,
      peerId: row.peer_id,
      muted: row.muted === 1,
      pinned: row.pinned === 1,
      updatedAt: row.updated_at,
      lastMessage: last ? toEntry(last) : null,
    };
  }

  async listConversations(userId: string) {
    return this.stmt.listConvs.all(userId).map((row) => this.toConversation(row));
  }
  async getConversation(userId: string, convId: string) {
    const row = this.stmt.getConv.get(userId, convId);
    return row ? this.toConversation(row) : null;
  }
  async members(convId: string) {
    return this.stmt.members.all(convId).map((r) => r.user_id);
  }
  async isMember(convId: string, userId: string) {
    return this.stmt.isMember.get(convId, userId) !== undefined;
  }
  async raiseReadSeq(convId: string, userId: string, seq: number) {
    return this.stmt.raiseRead.get(seq, convId, userId)?.read_seq ?? 0;
  }
  async updateMemberSettings(convId: string, userId: string, settings: { muted?: boolean; pinned?: boolean }) {
    return this.db.transaction(() => {
      let changed = 0;
      if (settings.muted !== undefined) changed += this.stmt.setMuted.run(settings.muted ? 1 : 0, convId, userId).changes;
      if (settings.pinned !== undefined) changed += this.stmt.setPinned.run(settings.pinned ? 1 : 0, convId, userId).changes;
      return changed > 0 || (settings.muted === undefined && settings.pinned === undefined);
    })();
  }
  async privatePeers(userId: string) {
    return this.stmt.privatePeers.all(userId).map((r) => r.user_id);
  }

  // --- blocks

  async block(blocker: string, blocked: string, now: number) {
    this.stmt.block.run(blocker, blocked, now);
  }
  async unblock(blocker: string, blocked: string) {
    this.stmt.unblock.run(blocker, blocked);
  }
  async blocks(blocker: string) {
    return this.stmt.blocks.all(blocker).map((r) => r.blocked);
  }
  async isBlocked(blocker: string, blocked: string) {
    return this.stmt.isBlocked.get(blocker, blocked) !== undefined;
  }

  // --- files

  async insertFile(file: FileRecord) {
    this.stmt.insertFile.run(file.fileId, file.uploader, file.name, file.mime, file.size, file.createdAt);
  }
  async getFile(fileId: string): Promise<FileRecord | null> {
    const row = this.stmt.getFile.get(fileId);
    return row ? { fileId: row.file_id, uploader: row.uploader, name: row.name, mime: row.mime, size: row.size, createdAt: row.created_at } : null;
  }
  async mayReadFile(fileId: string, userId: string) {
    return this.stmt.mayReadFile.get(fileId, userId, fileId, userId) !== undefined;
  }

  // --- admin and settings

  async rememberNonce(nonce: string, ts: number) {
    return this.stmt.insertNonce.run(nonce, ts).changes === 1;
  }
  async pruneNonces(olderThan: number) {
    this.stmt.pruneNonces.run(olderThan);
  }
  async getSetting(key: string) {
    return this.stmt.getSetting.get(key)?.value ?? null;
  }
  async setSetting(key: string, value: string) {
    this.stmt.setSetting.run(key, value);
  }

  async ping() {
    this.db.prepare('SELECT 1').get();
  }

  async close() {
    await this.checkpointer?.stop();
    if (this.db.open) {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    }
  }
}

interface ConvJoinRow {
  conv_id: string;
  kind: string;
  last_seq: number;
  updated_at: number;
  read_seq: number;
  muted: number;
  pinned: number;
  peer_id: string | null;
  peer_read_seq: number | null;
}
