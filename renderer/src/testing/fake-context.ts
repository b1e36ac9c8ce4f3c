/**
 * What the parts of the fake api (fake-groups.ts, fake-rooms.ts) get from its core: the recorder, events,
 * the conversation and user tables, and a way to append entries to a conversation's log as main would.
 */
import type { ApiErrorCode, ConversationView, LimitsView, MessageView, UserView } from '../../../preload/api-types';

/** An entry to append: who, what, and optionally any other field of the view (mentions, replyTo…). */
export type FakeEntry = { from: string; kind: MessageView['kind']; body: Record<string, unknown> } & Partial<Omit<MessageView, 'kind' | 'body'>>;

export interface FakeContext {
  selfId(): string;
  now(): number;
  /** The fake server's limits, as `server.limits` answers them. */
  limits(): LimitsView;
  /** Records the call and applies `failNext`; run the method's effect inside. */
  record<T>(method: string, arg: unknown, run: () => T | Promise<T>): Promise<T>;
  emit(event: string, payload: unknown): void;
  /** The error shape window.api rejects with. */
  error(code: ApiErrorCode, message?: string): { name: 'ApiError'; code: ApiErrorCode; message: string };
  conversations: Map<string, ConversationView>;
  users: Map<string, UserView>;
  /** Appends an acknowledged entry to the conversation's log (next seq), announcing it; returns it. */
  append(convId: string, entry: FakeEntry): MessageView;
  /** Announces a conversation (upsert), as main's conversations:changed does. */
  upsertConversation(c: ConversationView): void;
  /** Drops a conversation and its log, as main does when a chatroom's local copy is cleared. */
  removeConversation(convId: string): void;
}

/** A conversation view with defaults, for the fakes. */
export function fakeConversation(convId: string, kind: ConversationView['kind'], title: string, ts: number): ConversationView {
  return { convId, kind, title, lastSeq: 0, readSeq: 0, unread: 0, mentioned: false, muted: false, pinned: false, updatedAt: ts, lastMessage: null, draft: '' };
}
