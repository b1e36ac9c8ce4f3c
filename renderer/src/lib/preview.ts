/**
 * What a conversation row says under its title: the last message reduced to one line, or the draft. It reads
 * like the message itself: a system entry is the sentence the conversation shows, mentions are names.
 */
import type { TFunction } from 'i18next';
import type { ConversationView, MessagePreview } from '../../../preload/api-types';
import { MENTION_ALL, withMentionNames } from './mentions';
import { systemText, systemUserIds } from './system-text';

export interface RowPreview {
  /** A coloured marker before the text: "[Draft]" or "[@me]". */
  marker: { kind: 'draft' | 'mention'; text: string } | null;
  text: string;
  status: MessagePreview['status'] | null;
}

export interface PreviewOptions {
  selfId: string;
  /** The user's own display name: a mention of them reads `@<name>`, as in the message bubble. */
  selfName?: string | undefined;
  /** Display names of other users. */
  nameOf: (id: string) => string;
  t: TFunction;
  /** The UI language, for joining names ("Min and Ada" / "张敏和 Ada"). */
  locale: string;
}

export function kindLabel(kind: string, t: TFunction): string | null {
  switch (kind) {
    case 'image':
      return t('preview.image');
    case 'file':
      return t('preview.file');
    case 'voice':
      return t('preview.voice');
    case 'location':
      return t('preview.location');
    case 'custom':
      return t('preview.custom');
    case 'system':
      return t('preview.system');
    default:
      return null;
  }
}

/** The name a mention reads as: the user's own name for themself, "everyone" for @all. */
export function mentionLabel(id: string, options: Pick<PreviewOptions, 'selfId' | 'selfName' | 'nameOf' | 't'>): string {
  if (id === MENTION_ALL) return options.t('rooms.mentionAll');
  if (id === options.selfId) return options.selfName || options.selfId;
  return options.nameOf(id);
}

export function previewOf(message: MessagePreview, options: PreviewOptions): string {
  const { t } = options;
  if (message.kind === 'system') {
    // Without the body (an older core) only the kind is known: better "[Notice]" than an event name.
    return message.system ? systemText(message.system, message.ts, options) : t('preview.system');
  }
  if (message.kind === 'text') return withMentionNames(message.text, [], message.mentions, (id) => mentionLabel(id, options)).text;
  const label = kindLabel(message.kind, t);
  if (label === null) return message.text;
  return message.text && message.kind !== 'custom' ? `${label} ${message.text}` : label;
}

export function rowPreview(c: ConversationView, options: PreviewOptions & { draft: string | undefined }): RowPreview {
  const { selfId, t } = options;
  const draft = (options.draft ?? c.draft).trim();
  if (draft) return { marker: { kind: 'draft', text: t('list.draft') }, text: firstLine(draft), status: null };
  const marker = c.mentioned && c.unread > 0 ? { kind: 'mention' as const, text: t('list.mentioned') } : null;
  const m = c.lastMessage;
  if (!m) return { marker, text: '', status: null };
  const mine = m.from === selfId;
  if (m.recalled) {
    return {
      marker,
      text: mine ? t('preview.recalledByYou') : t('preview.recalledBy', { name: options.nameOf(m.from) }),
      status: null,
    };
  }
  let text = firstLine(previewOf(m, options));
  // In groups a line says who wrote it, as in WeChat and Telegram; in private chats it is obvious.
  if (c.kind !== 'private' && m.kind !== 'system') {
    text = t('message.sender', { name: mine ? t('preview.you') : options.nameOf(m.from) }) + text;
  }
  return { marker, text, status: mine ? m.status : null };
}

/** The users a row's preview names (sender, mentioned, a notice's actor and targets), to fetch their names. */
export function previewUserIds(c: ConversationView): string[] {
  const m = c.lastMessage;
  if (!m || m.recalled) return m && c.kind !== 'private' ? [m.from] : [];
  const ids = [
    ...(c.kind !== 'private' ? [m.from] : []),
    ...(m.kind === 'text' ? (m.mentions ?? []).filter((id) => id !== MENTION_ALL) : []),
    ...(m.kind === 'system' && m.system ? systemUserIds(m.system) : []),
  ];
  return [...new Set(ids)];
}

function firstLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
