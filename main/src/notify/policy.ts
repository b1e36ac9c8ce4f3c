/**
 * Whether one incoming message deserves a notification. Pure.
 *
 * Notify when the message is someone else's, still unread, not on screen, and its conversation is not muted.
 * A mention of the user or @all notifies even in a muted conversation (and in a chatroom, which otherwise
 * never notifies: rooms are busy by nature). Recalled messages and entries that are not messages (system,
 * recall, edit) never notify.
 */
import type { ConversationView, MessageView, NotificationSettings } from '../../../preload/contract.js';

export interface ViewState {
  windowFocused: boolean;
  /** The conversation the window shows, if any. */
  openConvId: string | null;
}

export interface NotifyInput {
  message: MessageView;
  selfId: string | undefined;
  conversation: Pick<ConversationView, 'kind' | 'muted' | 'readSeq'> | undefined;
  view: ViewState;
  settings: NotificationSettings;
}

export type SkipReason = 'disabled' | 'signed-out' | 'own' | 'not-a-message' | 'recalled' | 'read' | 'on-screen' | 'muted' | 'chatroom';

export type NotifyDecision = { notify: true; mentioned: boolean } | { notify: false; reason: SkipReason };

const NOT_MESSAGES: ReadonlySet<string> = new Set(['system', 'recall', 'edit']);

export function isMentioned(message: Pick<MessageView, 'mentions'>, selfId: string): boolean {
  return message.mentions?.some((m) => m === selfId || m === '@all') ?? false;
}

export function decideNotification(input: NotifyInput): NotifyDecision {
  const { message, selfId, conversation, view, settings } = input;
  const skip = (reason: SkipReason): NotifyDecision => ({ notify: false, reason });
  if (!settings.enabled) return skip('disabled');
  if (selfId === undefined) return skip('signed-out');
  if (message.from === selfId) return skip('own');
  if (NOT_MESSAGES.has(message.kind)) return skip('not-a-message');
  if (message.recalled) return skip('recalled');
  // Gap fills after a reconnect can bring messages this or another device already read.
  if (conversation && message.seq !== null && message.seq <= conversation.readSeq) return skip('read');
  if (view.windowFocused && view.openConvId === message.convId) return skip('on-screen');
  const mentioned = isMentioned(message, selfId);
  if (mentioned) return { notify: true, mentioned };
  if (conversation?.muted) return skip('muted');
  const kind = conversation?.kind ?? (message.convId.startsWith('r:') ? 'room' : undefined);
  if (kind === 'room') return skip('chatroom');
  return { notify: true, mentioned };
}
