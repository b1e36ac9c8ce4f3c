/** What a conversation row says under its title: the last message reduced to one line, or the draft. */
import type { TFunction } from 'i18next';
import type { ConversationView, MessagePreview } from '../../../preload/api-types';

export interface RowPreview {
  /** A coloured marker before the text: "[Draft]" or "[@me]". */
  marker: { kind: 'draft' | 'mention'; text: string } | null;
  text: string;
  status: MessagePreview['status'] | null;
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

export function previewOf(message: MessagePreview, t: TFunction): string {
  const label = kindLabel(message.kind, t);
  if (label === null) return message.text;
  return message.text && message.kind !== 'custom' ? `${label} ${message.text}` : label;
}

export function rowPreview(
  c: ConversationView,
  options: { selfId: string; draft: string | undefined; nameOf: (id: string) => string; t: TFunction },
): RowPreview {
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
  let text = firstLine(previewOf(m, t));
  // In groups a line says who wrote it, as in WeChat and Telegram; in private chats it is obvious.
  if (c.kind !== 'private' && m.kind !== 'system') {
    text = t('message.sender', { name: mine ? t('preview.you') : options.nameOf(m.from) }) + text;
  }
  return { marker, text, status: mine ? m.status : null };
}

function firstLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
