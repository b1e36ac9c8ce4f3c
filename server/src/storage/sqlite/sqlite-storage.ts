/** The default Storage: one SQLite file in WAL mode through better-sqlite3. */
import path from 'node:path';
import DatabaseCtor, { type Database } from 'better-sqlite3';
import { ProtocolError, groupConvId, roomConvId, type ConvKindName, type LogEntry } from '../../../../protocol/index.js';
import type {
  AppendItem,
  AppendOutcome,
  AvatarUpload,
  CollectedFile,
  ConversationRow,
  FileRecord,
  GroupChange,
  GroupListingRecord,
  GroupMemberRecord,
  GroupRecord,
  GroupRole,
  GroupSearch,
  HistoryQuery,
  InviteRecord,
  JoinRequestRecord,
  MemberState,
  RoomRecord,
  Storage,
  SessionRecord,
  TokenRecord,
  TokenUse,
  UserRecord,
  UserSearch,
} from '../storage.js';
import { storedEntry } from '../storage.js';
import type { ContactDecision } from '../contact-state.js';
import { presencePairs, profileAudienceSql, toEntry, toGroup, toInvite, toUser, type GroupRow, type InviteRow, type MessageRow, type UserRow } from '../rows.js';
import { foldName, likeLiteral } from '../name-fold.js';
import { ensurePrivateFile, mkdirPrivate, tightenToPrivate } from '../private-files.js';
import { Checkpointer } from './checkpointer.js';
import { DataDirLock } from './data-dir-lock.js';
import { migrate } from './migrations.js';
import { SqliteContacts } from './sqlite-contacts.js';

export interface SqliteStorageOptions {
  /** Path of the database file; ':memory:' for tests that need no file. */
  file: string;
  /**
   * `full` (the default): every commit is synced to disk before it returns, so it survives a power loss.
   * `normal`: a commit has reached the WAL file when it returns, so it survives the process being killed
   * (kill -9), but a power loss may lose the last transactions. See docs/protocol.md "Server options".
   */
  durability?: 'full' | 'normal';
}

/**
 * The directory's user search (storage.ts UserSearch): three disjoint branches, each served by what indexes it — the
 * exact id and the id prefix by the primary key (a range: ids are ASCII, compared bytewise), names by a LIKE over
 * name_folded (a full read of the column: no SQLite index serves a substring) — merged in (rank, user_id) order.
 */
const DIRECTORY_VISIBLE = `u.discoverable = 1
  AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = u.user_id AND b.blocked = @me)
  AND (@shared = 0
    OR EXISTS (SELECT 1 FROM contacts c WHERE c.user_id = @me AND c.contact_id = u.user_id)
    OR EXISTS (SELECT 1 FROM contacts c JOIN contacts cc ON cc.user_id = c.contact_id WHERE c.user_id = @me AND cc.contact_id = u.user_id)
    OR EXISTS (SELECT 1 FROM conv_members a JOIN conv_members o ON o.conv_id = a.conv_id
      WHERE a.user_id = @me AND a.active = 1 AND o.user_id = u.user_id AND o.active = 1))`;
const SEARCH_USERS = `
  SELECT * FROM (
    SELECT u.*, 0 AS rank FROM users u WHERE u.user_id = @id
    UNION ALL
    SELECT u.*, 1 AS rank FROM users u WHERE @open = 1 AND u.user_id > @id AND u.user_id < @idEnd AND ${DIRECTORY_VISIBLE}
    UNION ALL
    SELECT u.*, 2 AS rank FROM users u
    WHERE @open = 1 AND u.name_folded LIKE @pattern ESCAPE '\\' AND NOT (u.user_id >= @id AND u.user_id < @idEnd) AND ${DIRECTORY_VISIBLE}
  )
  WHERE user_id <> @me AND (rank > @afterRank OR (rank = @afterRank AND user_id > @afterId))
  ORDER BY rank, user_id LIMIT @limit`;
const SEARCH_GROUPS = `
  SELECT * FROM (
    SELECT g.*, 0 AS rank FROM chat_groups g WHERE g.group_id = @id AND g.is_public = 1 AND g.dismissed_at = 0
    UNION ALL
    SELECT g.*, 1 AS rank FROM chat_groups g
    WHERE g.is_public = 1 AND g.dismissed_at = 0 AND g.name_folded LIKE @pattern ESCAPE '\\' AND g.group_id <> @id
  )
  WHERE rank > @afterRank OR (rank = @afterRank AND group_id > @afterId)
  ORDER BY rank, group_id LIMIT @limit`;

/** The bound of an id-prefix range: every id starting with `prefix` sorts below it (ids are ASCII). */
function prefixEnd(prefix: string): string {
  return prefix === '' ? '' : `${prefix}\u{10FFFF}`;
}

const SYNCHRONOUS_NAMES: Record<number, string> = { 0: 'off', 1: 'normal', 2: 'full', 3: 'extra' };

/** The files SQLite keeps for a database in WAL mode. */
export function databaseFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`];
}

export class SqliteStorage implements Storage {
  private readonly db: Database;
  private readonly stmt: ReturnType<SqliteStorage['prepare']>;
  private readonly contactStore: SqliteContacts;
  private readonly checkpointer: Checkpointer | null;
  private readonly lock: DataDirLock | null;
  /** Conversations whose row and members are known to exist (committed), so appends skip re-ensuring them. */
  private readonly knownConversations = new Set<string>();

  constructor(options: SqliteStorageOptions) {
    const onDisk = options.file !== ':memory:';
    if (onDisk) {
      mkdirPrivate(path.dirname(options.file));
      this.lock = DataDirLock.acquire(options.file);
      // SQLite gives the -wal and -shm files the mode of the database file, so that one is made 0600 first.
      ensurePrivateFile(options.file);
      for (const f of databaseFiles(options.file).slice(1)) tightenToPrivate(f);
    } else {
      this.lock = null;
    }
    let db: Database | undefined;
    try {
      db = new DatabaseCtor(options.file);
      this.db = db;
      this.db.pragma('journal_mode = WAL');
      // In WAL mode FULL syncs the WAL at every commit; the group commit makes that one sync per batch of messages.
      this.db.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('foreign_keys = ON');
      migrate(this.db);
      this.stmt = this.prepare();
      this.contactStore = new SqliteContacts(this.db);
    } catch (error) {
      // A database that cannot be opened or migrated must not keep the directory locked.
      if (db?.open) db.close();
      this.lock?.release();
      throw error;
    }
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
      insertUser: db.prepare('INSERT INTO users (user_id, name, avatar, password_hash, created_at, name_folded) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      updateUser: db.prepare('UPDATE users SET name = ?, avatar = ?, name_folded = ? WHERE user_id = ?'),
      // An avatar the user no longer shows is deleted with the change that replaced it.
      deleteOtherAvatars: db.prepare<[string, string | null]>("DELETE FROM avatars WHERE user_id = ? AND '/v1/avatars/' || avatar_id IS NOT ?"),
      setProfileName: db.prepare<[string, string, string]>('UPDATE users SET name = ?, name_folded = ? WHERE user_id = ?'),
      setStatus: db.prepare<[string, string]>('UPDATE users SET status = ? WHERE user_id = ?'),
      setAvatarPath: db.prepare<[string | null, string]>('UPDATE users SET avatar = ? WHERE user_id = ?'),
      insertAvatar: db.prepare<[string, number, string, string, Buffer, number]>(
        'INSERT INTO avatars (avatar_id, size, user_id, mime, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      avatarImage: db.prepare<[string, number], { mime: string; bytes: Buffer; size: number }>('SELECT size, mime, bytes FROM avatars WHERE avatar_id = ? AND size = ?'),
      profileAudience: db.prepare<[string, string], { user_id: string }>(profileAudienceSql('?')),
      setDiscoverable: db.prepare('UPDATE users SET discoverable = ? WHERE user_id = ?'),
      searchUsers: db.prepare<[Record<string, string | number>], UserRow & { rank: number }>(SEARCH_USERS),
      searchGroups: db.prepare<[Record<string, string | number>], GroupRow & { rank: number; member_count: number }>(
        `SELECT s.*, (SELECT COUNT(*) FROM conv_members m WHERE m.conv_id = 'g:' || s.group_id AND m.active = 1) AS member_count FROM (${SEARCH_GROUPS}) s ORDER BY s.rank, s.group_id`,
      ),
      getUser: db.prepare<[string], UserRow>('SELECT * FROM users WHERE user_id = ?'),
      setBanned: db.prepare('UPDATE users SET banned_until = ? WHERE user_id = ?'),
      replacePasswordHash: db.prepare('UPDATE users SET password_hash = ? WHERE user_id = ? AND password_hash = ?'),
      insertInvite: db.prepare('INSERT INTO invites (code, uses_left, expires_at, created_at) VALUES (?, ?, ?, ?)'),
      listInvites: db.prepare<[], InviteRow>('SELECT * FROM invites ORDER BY created_at, code'),
      deleteInvite: db.prepare('DELETE FROM invites WHERE code = ?'),
      usableInvite: db.prepare<[string, number], InviteRow>(
        'SELECT * FROM invites WHERE code = ? AND uses_left > 0 AND (expires_at IS NULL OR expires_at > ?)',
      ),
      useInvite: db.prepare('UPDATE invites SET uses_left = uses_left - 1 WHERE code = ? AND uses_left > 0 AND (expires_at IS NULL OR expires_at > ?)'),
      setLastSeen: db.prepare('UPDATE users SET last_seen = ? WHERE user_id = ?'),
      insertToken: db.prepare('INSERT INTO tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)'),
      getToken: db.prepare<[string], { user_id: string; expires_at: number; revoked: number }>(
        'SELECT user_id, expires_at, revoked FROM tokens WHERE token_hash = ?',
      ),
      revokeTokens: db.prepare('UPDATE tokens SET revoked = 1 WHERE user_id = ? AND revoked = 0'),
      revokeToken: db.prepare('UPDATE tokens SET revoked = 1 WHERE token_hash = ? AND user_id = ? AND revoked = 0'),
      revokeOtherTokens: db.prepare<[string, string], { token_hash: string }>(
        'UPDATE tokens SET revoked = 1 WHERE user_id = ? AND token_hash != ? AND revoked = 0 RETURNING token_hash',
      ),
      bindToken: db.prepare('UPDATE tokens SET device_id = ?, platform = ?, app = ?, last_seen = max(last_seen, ?) WHERE token_hash = ?'),
      touchToken: db.prepare('UPDATE tokens SET last_seen = max(last_seen, ?) WHERE token_hash = ?'),
      listSessions: db.prepare<[string, number], { token_hash: string; device_id: string | null; platform: string; app: string; created_at: number; last_seen: number }>(
        'SELECT token_hash, device_id, platform, app, created_at, last_seen FROM tokens WHERE user_id = ? AND revoked = 0 AND expires_at > ? ORDER BY created_at',
      ),
      setPassword: db.prepare('UPDATE users SET password_hash = ? WHERE user_id = ?'),
      pruneTokens: db.prepare('DELETE FROM tokens WHERE revoked = 1 OR expires_at < ?'),
      findByClientId: db.prepare<[string, string], MessageRow>('SELECT * FROM messages WHERE sender = ? AND client_msg_id = ?'),
      ensureConv: db.prepare('INSERT INTO conversations (conv_id, kind, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      ensureMember: db.prepare('INSERT INTO conv_members (conv_id, user_id, joined_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      nextSeq: db.prepare<[number, string], { last_seq: number }>(
        'UPDATE conversations SET last_seq = last_seq + 1, updated_at = ? WHERE conv_id = ? RETURNING last_seq',
      ),
      insertMessage: db.prepare(
        'INSERT INTO messages (conv_id, seq, msg_id, client_msg_id, sender, ts, kind, body, mentions, reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertFileRef: db.prepare(
        'INSERT INTO file_refs (file_id, conv_id) SELECT file_id, ? FROM files WHERE file_id = ? AND collected_at IS NULL ON CONFLICT DO NOTHING',
      ),
      insertEntryFile: db.prepare(
        'INSERT INTO entry_files (conv_id, seq, file_id) SELECT ?, ?, file_id FROM files WHERE file_id = ? AND collected_at IS NULL ON CONFLICT DO NOTHING',
      ),
      markReferenced: db.prepare('UPDATE files SET unreferenced_since = NULL WHERE file_id = ? AND unreferenced_since IS NOT NULL'),
      entryFiles: db.prepare<[string, number], { file_id: string }>('SELECT file_id FROM entry_files WHERE conv_id = ? AND seq = ?'),
      deleteEntryFiles: db.prepare('DELETE FROM entry_files WHERE conv_id = ? AND seq = ?'),
      convFiles: db.prepare<[string], { file_id: string }>('SELECT DISTINCT file_id FROM entry_files WHERE conv_id = ?'),
      deleteConvEntryFiles: db.prepare('DELETE FROM entry_files WHERE conv_id = ?'),
      fileNamedInConv: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM entry_files WHERE file_id = ? AND conv_id = ? LIMIT 1'),
      fileNamed: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM entry_files WHERE file_id = ? LIMIT 1'),
      markUnreferenced: db.prepare('UPDATE files SET unreferenced_since = ? WHERE file_id = ? AND unreferenced_since IS NULL'),
      deleteFileRef: db.prepare('DELETE FROM file_refs WHERE file_id = ? AND conv_id = ?'),
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
               p.user_id AS peer_id, p.read_seq AS peer_read_seq, g.name AS group_name
        FROM conv_members m
        JOIN conversations c ON c.conv_id = m.conv_id
        LEFT JOIN conv_members p ON c.kind = 'private' AND p.conv_id = m.conv_id AND p.user_id <> m.user_id
        LEFT JOIN chat_groups g ON c.kind = 'group' AND g.group_id = substr(c.conv_id, 3)
        WHERE m.user_id = ? AND m.active = 1 AND c.kind <> 'room'
        ORDER BY c.updated_at DESC`),
      getConv: db.prepare<[string, string], ConvJoinRow>(`
        SELECT c.conv_id, c.kind, c.last_seq, c.updated_at, m.read_seq, m.muted, m.pinned,
               p.user_id AS peer_id, p.read_seq AS peer_read_seq, g.name AS group_name
        FROM conv_members m
        JOIN conversations c ON c.conv_id = m.conv_id
        LEFT JOIN conv_members p ON c.kind = 'private' AND p.conv_id = m.conv_id AND p.user_id <> m.user_id
        LEFT JOIN chat_groups g ON c.kind = 'group' AND g.group_id = substr(c.conv_id, 3)
        WHERE m.user_id = ? AND m.conv_id = ?`),
      members: db.prepare<[string], { user_id: string }>('SELECT user_id FROM conv_members WHERE conv_id = ? AND active = 1'),
      isMember: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM conv_members WHERE conv_id = ? AND user_id = ? AND active = 1'),
      raiseRead: db.prepare<[number, string, string], { read_seq: number }>(`
        UPDATE conv_members SET read_seq = MAX(read_seq, MIN(?, (SELECT last_seq FROM conversations WHERE conv_id = conv_members.conv_id)))
        WHERE conv_id = ? AND user_id = ? RETURNING read_seq`),
      setMuted: db.prepare('UPDATE conv_members SET muted = ? WHERE conv_id = ? AND user_id = ?'),
      setPinned: db.prepare('UPDATE conv_members SET pinned = ? WHERE conv_id = ? AND user_id = ?'),
      presenceViewers: db.prepare<[string], { user_id: string }>(presencePairs('v.user_id', 's.user_id = ?')),
      presenceVisible: db.prepare<[string, string], { user_id: string }>(
        presencePairs('s.user_id', 'v.user_id = ? AND s.user_id IN (SELECT value FROM json_each(?))'),
      ),
      blockersAmong: db.prepare<[string, string], { blocker: string }>(
        'SELECT blocker FROM blocks WHERE blocked = ? AND blocker IN (SELECT value FROM json_each(?))',
      ),
      block: db.prepare('INSERT INTO blocks (blocker, blocked, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      unblock: db.prepare('DELETE FROM blocks WHERE blocker = ? AND blocked = ?'),
      blocks: db.prepare<[string], { blocked: string }>('SELECT blocked FROM blocks WHERE blocker = ? ORDER BY created_at'),
      isBlocked: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM blocks WHERE blocker = ? AND blocked = ?'),
      // A new file is unreferenced until an entry names it: its grace period starts at the upload.
      insertFile: db.prepare('INSERT INTO files (file_id, uploader, name, mime, size, created_at, unreferenced_since) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      getFile: db.prepare<[string], { file_id: string; uploader: string; name: string; mime: string; size: number; created_at: number }>(
        'SELECT file_id, uploader, name, mime, size, created_at FROM files WHERE file_id = ? AND collected_at IS NULL',
      ),
      uploadedBytes: db.prepare<[string], { bytes: number }>('SELECT coalesce(SUM(size), 0) AS bytes FROM files WHERE uploader = ? AND collected_at IS NULL'),
      storedFileBytes: db.prepare<[], { bytes: number }>('SELECT coalesce(SUM(size), 0) AS bytes FROM files WHERE collected_at IS NULL'),
      unreferencedFiles: db.prepare<[number, number], { file_id: string; size: number }>(`
        SELECT file_id, size FROM files
        WHERE unreferenced_since IS NOT NULL AND unreferenced_since <= ? AND collected_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM entry_files e WHERE e.file_id = files.file_id)
        LIMIT ?`),
      filesOfGoneUploaders: db.prepare<[number], { file_id: string; size: number }>(`
        SELECT file_id, size FROM files
        WHERE collected_at IS NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.user_id = files.uploader)
        LIMIT ?`),
      markCollected: db.prepare('UPDATE files SET collected_at = ? WHERE file_id = ? AND collected_at IS NULL'),
      deleteFileRefs: db.prepare('DELETE FROM file_refs WHERE file_id = ?'),
      deleteFileEntries: db.prepare('DELETE FROM entry_files WHERE file_id = ?'),
      collectedFiles: db.prepare<[number], { file_id: string }>('SELECT file_id FROM files WHERE collected_at IS NOT NULL LIMIT ?'),
      forgetFile: db.prepare('DELETE FROM files WHERE file_id = ? AND collected_at IS NOT NULL'),
      // Chatrooms keep no members in storage and anyone may join one, so a file sent in a room is readable by anyone.
      mayReadFile: db.prepare<[string, string, string, string, string], { one: number }>(`
        SELECT 1 AS one FROM files WHERE file_id = ? AND uploader = ? AND collected_at IS NULL
        UNION ALL
        SELECT 1 FROM file_refs r JOIN conv_members m ON m.conv_id = r.conv_id AND m.active = 1
        WHERE r.file_id = ? AND m.user_id = ?
        UNION ALL
        SELECT 1 FROM file_refs r JOIN rooms ro ON r.conv_id = 'r:' || ro.room_id
        WHERE r.file_id = ? LIMIT 1`),
      insertNonce: db.prepare('INSERT INTO admin_nonces (nonce, ts) VALUES (?, ?) ON CONFLICT DO NOTHING'),
      pruneNonces: db.prepare('DELETE FROM admin_nonces WHERE ts < ?'),
      getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      setSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      memberStates: db.prepare<[string], { user_id: string; read_seq: number; muted: number; pinned: number }>(
        'SELECT user_id, read_seq, muted, pinned FROM conv_members WHERE conv_id = ? AND active = 1',
      ),
      readCount: db.prepare<[number, string, string], { count: number | null; total: number }>(
        'SELECT SUM(read_seq >= ?) AS count, COUNT(*) AS total FROM conv_members WHERE conv_id = ? AND active = 1 AND user_id <> ?',
      ),
      // groups
      insertGroup: db.prepare(
        'INSERT INTO chat_groups (group_id, name, announcement, join_policy, muted_all_until, created_at, is_public, name_folded) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      getGroup: db.prepare<[string], GroupRow>('SELECT * FROM chat_groups WHERE group_id = ?'),
      updateGroup: db.prepare(`
        UPDATE chat_groups SET name = coalesce(?, name), announcement = coalesce(?, announcement), join_policy = coalesce(?, join_policy),
          muted_all_until = coalesce(?, muted_all_until), dismissed_at = coalesce(?, dismissed_at), is_public = coalesce(?, is_public),
          name_folded = coalesce(?, name_folded)
        WHERE group_id = ?`),
      groupMembers: db.prepare<[string], { user_id: string; role: string; speak_muted_until: number }>(
        'SELECT user_id, role, speak_muted_until FROM conv_members WHERE conv_id = ? AND active = 1',
      ),
      // A (re)joining member starts reading at the entry that adds them, not at the group's first entry.
      addMember: db.prepare(`
        INSERT INTO conv_members (conv_id, user_id, joined_at, read_seq, role) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (conv_id, user_id) DO UPDATE SET active = 1, role = excluded.role, speak_muted_until = 0,
          joined_at = excluded.joined_at, read_seq = MAX(read_seq, excluded.read_seq)`),
      removeMember: db.prepare("UPDATE conv_members SET active = 0, role = 'member', speak_muted_until = 0 WHERE conv_id = ? AND user_id = ?"),
      setRole: db.prepare('UPDATE conv_members SET role = ? WHERE conv_id = ? AND user_id = ? AND active = 1'),
      setSpeakMuted: db.prepare('UPDATE conv_members SET speak_muted_until = ? WHERE conv_id = ? AND user_id = ? AND active = 1'),
      putRequest: db.prepare(
        'INSERT INTO group_requests (group_id, user_id, note, ts) VALUES (?, ?, ?, ?) ON CONFLICT (group_id, user_id) DO UPDATE SET note = excluded.note, ts = excluded.ts',
      ),
      requests: db.prepare<[string], { user_id: string; note: string; ts: number }>('SELECT user_id, note, ts FROM group_requests WHERE group_id = ? ORDER BY ts, user_id'),
      getRequest: db.prepare<[string, string], { user_id: string; note: string; ts: number }>(
        'SELECT user_id, note, ts FROM group_requests WHERE group_id = ? AND user_id = ?',
      ),
      deleteRequest: db.prepare('DELETE FROM group_requests WHERE group_id = ? AND user_id = ?'),
      deleteRequests: db.prepare('DELETE FROM group_requests WHERE group_id = ?'),
      // rooms
      roomExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM rooms WHERE room_id = ?'),
      insertRoom: db.prepare('INSERT INTO rooms (room_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      renameRoom: db.prepare('UPDATE rooms SET name = ? WHERE room_id = ?'),
      listRooms: db.prepare<[], { room_id: string; name: string; created_at: number }>('SELECT * FROM rooms ORDER BY room_id'),
      deleteRoom: db.prepare('DELETE FROM rooms WHERE room_id = ?'),
      deleteConvMessages: db.prepare('DELETE FROM messages WHERE conv_id = ?'),
      deleteConvFileRefs: db.prepare('DELETE FROM file_refs WHERE conv_id = ?'),
      deleteConv: db.prepare('DELETE FROM conversations WHERE conv_id = ?'),
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
    if (item.requires === 'member' && !this.stmt.isMember.get(item.convId, item.from)) {
      throw new ProtocolError('FORBIDDEN', 'not a member of this conversation');
    }
    if (item.requires === 'room' && !this.stmt.roomExists.get(item.convId.slice(2))) throw new ProtocolError('NOT_FOUND', 'no such chatroom');
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
    for (const fileId of new Set(item.fileIds ?? [])) {
      // Checked here, inside the transaction, so a file cannot be collected between the sender's check and the store.
      if (this.stmt.insertEntryFile.run(item.convId, seq, fileId).changes === 0) {
        throw new ProtocolError('NOT_FOUND', 'the file is no longer stored: upload it again');
      }
      this.stmt.markReferenced.run(fileId);
      this.stmt.insertFileRef.run(item.convId, fileId);
    }
    return { status: 'stored', entry: storedEntry(item, seq) };
  }

  /**
   * Runs inside the caller's transaction, after entries naming `fileIds` in `convId` were removed: the
   * conversation's members lose access to a file no other entry of it names, and a file no entry names at all
   * starts its grace period.
   */
  private dropFileReferences(convId: string, fileIds: readonly string[], now: number): void {
    for (const fileId of fileIds) {
      if (!this.stmt.fileNamedInConv.get(fileId, convId)) this.stmt.deleteFileRef.run(fileId, convId);
      if (!this.stmt.fileNamed.get(fileId)) this.stmt.markUnreferenced.run(now, fileId);
    }
  }

  // --- users and tokens

  async createUser(user: { userId: string; name: string; avatar?: string | null; passwordHash?: string | null }, now: number) {
    return this.stmt.insertUser.run(user.userId, user.name, user.avatar ?? null, user.passwordHash ?? null, now, foldName(user.name)).changes === 1;
  }
  async updateUser(user: { userId: string; name: string; avatar?: string | null }) {
    return this.db.transaction(() => {
      const updated = this.stmt.updateUser.run(user.name, user.avatar ?? null, foldName(user.name), user.userId).changes === 1;
      if (updated) this.stmt.deleteOtherAvatars.run(user.userId, user.avatar ?? null);
      return updated;
    })();
  }
  async updateProfile(userId: string, profile: { name?: string; status?: string }) {
    return this.db.transaction(() => {
      if (!this.stmt.getUser.get(userId)) return false;
      if (profile.name !== undefined) this.stmt.setProfileName.run(profile.name, foldName(profile.name), userId);
      if (profile.status !== undefined) this.stmt.setStatus.run(profile.status, userId);
      return true;
    })();
  }
  async setAvatar(userId: string, avatar: AvatarUpload | null, now: number) {
    return this.db.transaction(() => {
      if (this.stmt.setAvatarPath.run(avatar?.path ?? null, userId).changes !== 1) return false;
      this.stmt.deleteOtherAvatars.run(userId, avatar?.path ?? null);
      for (const image of avatar?.images ?? []) this.stmt.insertAvatar.run(avatar!.avatarId, image.size, userId, image.mime, image.bytes, now);
      return true;
    })();
  }
  async getAvatarImage(avatarId: string, size: number) {
    return this.stmt.avatarImage.get(avatarId, size) ?? null;
  }
  async profileAudience(userId: string) {
    return this.stmt.profileAudience.all(userId, userId).map((r) => r.user_id);
  }
  async searchUsers(search: UserSearch) {
    const rows = this.stmt.searchUsers.all({
      me: search.searcher,
      id: search.id,
      idEnd: prefixEnd(search.id),
      open: search.scope === 'none' ? 0 : 1,
      shared: search.scope === 'shared' ? 1 : 0,
      pattern: `%${likeLiteral(search.folded)}%`,
      afterRank: search.after?.rank ?? -1,
      afterId: search.after?.id ?? '',
      limit: search.limit,
    });
    return rows.map((row) => ({ user: toUser(row), rank: row.rank }));
  }
  async setDiscoverable(userId: string, discoverable: boolean) {
    return this.stmt.setDiscoverable.run(discoverable ? 1 : 0, userId).changes === 1;
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
  async replacePasswordHash(userId: string, oldHash: string, newHash: string) {
    return this.stmt.replacePasswordHash.run(newHash, userId, oldHash).changes === 1;
  }
  async createInvite(invite: InviteRecord) {
    this.stmt.insertInvite.run(invite.code, invite.usesLeft, invite.expiresAt, invite.createdAt);
  }
  async listInvites() {
    return this.stmt.listInvites.all().map(toInvite);
  }
  async deleteInvite(code: string) {
    return this.stmt.deleteInvite.run(code).changes === 1;
  }
  async usableInvite(code: string, now: number) {
    const row = this.stmt.usableInvite.get(code, now);
    return row ? toInvite(row) : null;
  }
  async createUserWithInvite(user: { userId: string; name: string; passwordHash: string }, code: string, now: number) {
    return this.db.transaction((): 'created' | 'conflict' | 'invalid-invite' => {
      if (!this.stmt.usableInvite.get(code, now)) return 'invalid-invite';
      if (this.stmt.insertUser.run(user.userId, user.name, null, user.passwordHash, now, foldName(user.name)).changes !== 1) return 'conflict';
      this.stmt.useInvite.run(code, now);
      return 'created';
    }).immediate();
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
  async recordTokenUse(uses: readonly TokenUse[]) {
    this.db.transaction(() => {
      for (const u of uses) {
        if (u.device) this.stmt.bindToken.run(u.device.deviceId, u.device.platform, u.device.app, u.seenAt, u.tokenHash);
        else this.stmt.touchToken.run(u.seenAt, u.tokenHash);
      }
    })();
  }
  async listSessions(userId: string, now: number): Promise<SessionRecord[]> {
    return this.stmt.listSessions.all(userId, now).map((r) => ({
      tokenHash: r.token_hash,
      deviceId: r.device_id,
      platform: r.platform,
      app: r.app,
      createdAt: r.created_at,
      lastSeen: r.last_seen,
    }));
  }
  async revokeTokens(userId: string, tokenHashes: readonly string[]) {
    return this.db.transaction(() => tokenHashes.filter((h) => this.stmt.revokeToken.run(h, userId).changes === 1))();
  }
  async setPassword(userId: string, passwordHash: string, keepTokenHash: string) {
    return this.db.transaction(() => {
      this.stmt.setPassword.run(passwordHash, userId);
      return this.stmt.revokeOtherTokens.all(userId, keepTokenHash).map((r) => r.token_hash);
    })();
  }
  async pruneTokens(expiredBefore: number) {
    return this.stmt.pruneTokens.run(expiredBefore).changes;
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
      const fileIds = this.stmt.entryFiles.all(item.convId, targetSeq).map((r) => r.file_id);
      this.stmt.deleteEntryFiles.run(item.convId, targetSeq);
      this.dropFileReferences(item.convId, fileIds, item.ts);
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
      groupName: row.group_name,
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
  async presenceViewers(userId: string) {
    return this.stmt.presenceViewers.all(userId).map((r) => r.user_id);
  }
  async presenceVisible(viewer: string, subjects: readonly string[]) {
    return this.stmt.presenceVisible.all(viewer, JSON.stringify(subjects)).map((r) => r.user_id);
  }

  async memberStates(convId: string): Promise<MemberState[]> {
    return this.stmt.memberStates.all(convId).map((r) => ({ userId: r.user_id, readSeq: r.read_seq, muted: r.muted === 1, pinned: r.pinned === 1 }));
  }
  async readCount(convId: string, seq: number, except: string) {
    const row = this.stmt.readCount.get(seq, convId, except);
    return { count: row?.count ?? 0, total: row?.total ?? 0 };
  }

  // --- groups

  async createGroup(group: GroupRecord, members: ReadonlyArray<{ userId: string; role: GroupRole }>, entry: AppendItem): Promise<LogEntry | null> {
    const convId = groupConvId(group.groupId);
    const stored = this.db.transaction(() => {
      const inserted = this.stmt.insertGroup.run(
        group.groupId,
        group.name,
        group.announcement,
        group.joinPolicy,
        group.mutedAllUntil,
        group.createdAt,
        group.public ? 1 : 0,
        foldName(group.name),
      );
      if (inserted.changes === 0) return null;
      this.stmt.ensureConv.run(convId, 'group', group.createdAt, group.createdAt);
      for (const m of members) this.stmt.addMember.run(convId, m.userId, group.createdAt, 0, m.role);
      return this.appendOne(entry).entry;
    })();
    if (stored) this.knownConversations.add(convId);
    return stored;
  }

  async loadGroup(groupId: string): Promise<{ group: GroupRecord; members: GroupMemberRecord[] } | null> {
    const row = this.stmt.getGroup.get(groupId);
    if (!row) return null;
    const members = this.stmt.groupMembers
      .all(groupConvId(groupId))
      .map((m) => ({ userId: m.user_id, role: m.role as GroupRole, mutedUntil: m.speak_muted_until }));
    return { group: toGroup(row), members };
  }

  async changeGroup(change: GroupChange, entry: AppendItem): Promise<LogEntry> {
    const convId = groupConvId(change.groupId);
    return this.db.transaction(() => {
      const set = change.set;
      if (set) {
        this.stmt.updateGroup.run(
          set.name ?? null,
          set.announcement ?? null,
          set.joinPolicy ?? null,
          set.mutedAllUntil ?? null,
          set.dismissedAt ?? null,
          set.public === undefined ? null : set.public ? 1 : 0,
          set.name === undefined ? null : foldName(set.name),
          change.groupId,
        );
      }
      if (change.add && change.add.length > 0) {
        const readFrom = this.stmt.lastSeq.get(convId)?.last_seq ?? 0;
        for (const userId of change.add) this.stmt.addMember.run(convId, userId, entry.ts, readFrom, 'member');
      }
      for (const userId of change.remove ?? []) this.stmt.removeMember.run(convId, userId);
      for (const r of change.roles ?? []) this.stmt.setRole.run(r.role, convId, r.userId);
      for (const m of change.mutes ?? []) this.stmt.setSpeakMuted.run(m.untilTs, convId, m.userId);
      if (change.dropRequests === 'all') this.stmt.deleteRequests.run(change.groupId);
      else for (const userId of change.dropRequests ?? []) this.stmt.deleteRequest.run(change.groupId, userId);
      return this.appendOne(entry).entry;
    })();
  }

  async putJoinRequest(groupId: string, request: JoinRequestRecord) {
    this.stmt.putRequest.run(groupId, request.userId, request.note, request.ts);
  }
  async joinRequests(groupId: string): Promise<JoinRequestRecord[]> {
    return this.stmt.requests.all(groupId).map((r) => ({ userId: r.user_id, note: r.note, ts: r.ts }));
  }
  async getJoinRequest(groupId: string, userId: string): Promise<JoinRequestRecord | null> {
    const r = this.stmt.getRequest.get(groupId, userId);
    return r ? { userId: r.user_id, note: r.note, ts: r.ts } : null;
  }
  async deleteJoinRequest(groupId: string, userId: string) {
    return this.stmt.deleteRequest.run(groupId, userId).changes > 0;
  }
  async searchGroups(search: GroupSearch): Promise<GroupListingRecord[]> {
    const rows = this.stmt.searchGroups.all({
      id: search.id,
      pattern: `%${likeLiteral(search.folded)}%`,
      afterRank: search.after?.rank ?? -1,
      afterId: search.after?.id ?? '',
      limit: search.limit,
    });
    return rows.map((row) => ({ group: toGroup(row), memberCount: row.member_count, rank: row.rank }));
  }

  // --- chatrooms

  async putRoom(room: RoomRecord) {
    return this.db.transaction(() => {
      const created = this.stmt.insertRoom.run(room.roomId, room.name, room.createdAt).changes === 1;
      if (!created) this.stmt.renameRoom.run(room.name, room.roomId);
      this.stmt.ensureConv.run(roomConvId(room.roomId), 'room', room.createdAt, room.createdAt);
      return created;
    })();
  }
  async listRooms(): Promise<RoomRecord[]> {
    return this.stmt.listRooms.all().map((r) => ({ roomId: r.room_id, name: r.name, createdAt: r.created_at }));
  }
  async deleteRoom(roomId: string) {
    const convId = roomConvId(roomId);
    const deleted = this.db.transaction(() => {
      if (this.stmt.deleteRoom.run(roomId).changes === 0) return false;
      this.stmt.deleteConvMessages.run(convId);
      const fileIds = this.stmt.convFiles.all(convId).map((r) => r.file_id);
      this.stmt.deleteConvEntryFiles.run(convId);
      this.dropFileReferences(convId, fileIds, Date.now());
      this.stmt.deleteConvFileRefs.run(convId);
      this.stmt.deleteConv.run(convId);
      return true;
    })();
    // A room created again under this id starts a new log, so its conversation row must be ensured again.
    this.knownConversations.delete(convId);
    return deleted;
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
  async blockersAmong(blocked: string, candidates: readonly string[]) {
    if (candidates.length === 0) return [];
    return this.stmt.blockersAmong.all(blocked, JSON.stringify(candidates)).map((r) => r.blocker);
  }

  // --- contacts

  async changeContacts<T>(a: string, b: string, decide: ContactDecision<T>, now: number) {
    return this.contactStore.change(a, b, decide, now);
  }
  async contactsOf(userId: string) {
    return this.contactStore.list(userId);
  }
  async contactLog(userId: string, afterSeq: number, limit: number) {
    return this.contactStore.log(userId, afterSeq, limit);
  }
  async isContact(userId: string, other: string) {
    return this.contactStore.isContact(userId, other);
  }

  // --- files

  async insertFile(file: FileRecord) {
    this.stmt.insertFile.run(file.fileId, file.uploader, file.name, file.mime, file.size, file.createdAt, file.createdAt);
  }
  async getFile(fileId: string): Promise<FileRecord | null> {
    const row = this.stmt.getFile.get(fileId);
    return row ? { fileId: row.file_id, uploader: row.uploader, name: row.name, mime: row.mime, size: row.size, createdAt: row.created_at } : null;
  }
  async mayReadFile(fileId: string, userId: string) {
    return this.stmt.mayReadFile.get(fileId, userId, fileId, userId, fileId) !== undefined;
  }
  async uploadedBytes(userId: string) {
    return this.stmt.uploadedBytes.get(userId)?.bytes ?? 0;
  }
  async storedFileBytes() {
    return this.stmt.storedFileBytes.get()?.bytes ?? 0;
  }
  async markCollectable(unreferencedBefore: number, now: number, limit: number): Promise<CollectedFile[]> {
    return this.db.transaction(() => {
      const found: CollectedFile[] = [
        ...this.stmt.unreferencedFiles.all(unreferencedBefore, limit).map((r) => ({ fileId: r.file_id, size: r.size, reason: 'unreferenced' as const })),
        ...this.stmt.filesOfGoneUploaders.all(limit).map((r) => ({ fileId: r.file_id, size: r.size, reason: 'uploader-gone' as const })),
      ];
      const marked: CollectedFile[] = [];
      for (const file of found) {
        if (this.stmt.markCollected.run(now, file.fileId).changes === 0) continue; // in both lists
        this.stmt.deleteFileRefs.run(file.fileId);
        this.stmt.deleteFileEntries.run(file.fileId);
        marked.push(file);
      }
      return marked;
    })();
  }
  async collectedFiles(limit: number) {
    return this.stmt.collectedFiles.all(limit).map((r) => r.file_id);
  }
  async forgetFiles(fileIds: readonly string[]) {
    this.db.transaction(() => {
      for (const fileId of fileIds) this.stmt.forgetFile.run(fileId);
    })();
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

  /** SQLite's synchronous level as the database connection reports it (2 FULL, 1 NORMAL). */
  synchronousLevel(): number {
    return this.db.pragma('synchronous', { simple: true }) as number;
  }

  durability(): string {
    return SYNCHRONOUS_NAMES[this.synchronousLevel()] ?? String(this.synchronousLevel());
  }

  async close() {
    await this.checkpointer?.stop();
    if (this.db.open) {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    }
    this.lock?.release();
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
  group_name: string | null;
}
