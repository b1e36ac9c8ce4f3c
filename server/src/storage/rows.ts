/**
 * The rows both storages read back, and how each becomes a record: the schemas keep the same tables and column
 * names (the SQLite→PostgreSQL migration relies on it), and differ only where SQLite stores a flag as 0/1 and
 * PostgreSQL as a boolean.
 */
import type { EntryKind, LogEntry } from '../../../protocol/index.js';
import type { GroupRecord, InviteRecord, JoinPolicyName, UserRecord } from './storage.js';

export interface MessageRow {
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
  recalled: number | boolean;
}

export interface UserRow {
  user_id: string;
  name: string;
  avatar: string | null;
  status: string;
  password_hash: string | null;
  created_at: number;
  banned_until: number;
  last_seen: number;
}

export interface GroupRow {
  group_id: string;
  name: string;
  announcement: string;
  join_policy: string;
  muted_all_until: number;
  created_at: number;
  dismissed_at: number;
  is_public: number | boolean;
}

export interface InviteRow {
  code: string;
  uses_left: number;
  expires_at: number | null;
  created_at: number;
}

export function toEntry(row: MessageRow): LogEntry {
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

export function toUser(row: UserRow): UserRecord {
  return {
    userId: row.user_id,
    name: row.name,
    avatar: row.avatar,
    status: row.status,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    bannedUntil: row.banned_until,
    lastSeen: row.last_seen,
  };
}

export function toGroup(row: GroupRow): GroupRecord {
  return {
    groupId: row.group_id,
    name: row.name,
    announcement: row.announcement,
    joinPolicy: row.join_policy as JoinPolicyName,
    mutedAllUntil: row.muted_all_until,
    createdAt: row.created_at,
    dismissedAt: row.dismissed_at,
    public: row.is_public === true || row.is_public === 1,
  };
}

export function toInvite(row: InviteRow): InviteRecord {
  return { code: row.code, usesLeft: row.uses_left, expiresAt: row.expires_at, createdAt: row.created_at };
}

/**
 * Who hears of the profile changes of the user named by `user` (a placeholder, used twice): everyone sharing a private
 * chat or a group with them, and their contacts; written once for both storages (`active` is 0/1 in SQLite and a
 * boolean in PostgreSQL; both read it as a condition). Members who left a group are not told.
 */
export function profileAudienceSql(user: string): string {
  return `
    SELECT o.user_id FROM conv_members m
    JOIN conversations c ON c.conv_id = m.conv_id AND c.kind IN ('private', 'group')
    JOIN conv_members o ON o.conv_id = m.conv_id AND o.user_id <> m.user_id AND o.active
    WHERE m.user_id = ${user} AND m.active
    UNION
    SELECT k.contact_id FROM contacts k WHERE k.user_id = ${user}`;
}

/**
 * The presence rule of docs/protocol.md ("Privacy"), written once for both of its uses (the `presence` events a
 * subject's change sends, and the presence `users.get` shows a viewer): the viewer `v` shares a private chat with
 * the subject `s`, and `s` has not blocked `v`.
 */
export function presencePairs(select: string, where: string): string {
  return `
    SELECT ${select} FROM conv_members s
    JOIN conversations c ON c.conv_id = s.conv_id AND c.kind = 'private'
    JOIN conv_members v ON v.conv_id = s.conv_id AND v.user_id <> s.user_id
    WHERE ${where} AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = s.user_id AND b.blocked = v.user_id)`;
}
