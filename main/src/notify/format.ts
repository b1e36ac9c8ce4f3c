/**
 * The words of notifications and the tray, in the user's language. Pure. Without preview, no message text
 * appears: only who wrote and how many.
 */
import type { ConvKindName } from '../../../protocol/ops.js';
import type { Language, MessageView, NotificationRequest } from '../../../preload/contract.js';

export type Locale = 'zh-CN' | 'en';

export function resolveLocale(setting: Language, systemLocale: string | undefined): Locale {
  if (setting !== 'system') return setting;
  return systemLocale?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

const WORDS = {
  en: {
    image: '[Image]',
    file: '[File]',
    voice: '[Voice]',
    location: '[Location]',
    other: '[Message]',
    mentioned: '[Mentioned you] ',
    everyone: 'Everyone',
    one: 'New message',
    oneFrom: (who: string) => `New message from ${who}`,
    many: (n: number) => `${n} new messages`,
    manyFrom: (n: number, who: string) => `${n} new messages from ${who}`,
    unread: (n: number) => `${n} unread message${n === 1 ? '' : 's'}`,
    open: 'Open Parley',
    quit: 'Quit',
  },
  'zh-CN': {
    image: '[图片]',
    file: '[文件]',
    voice: '[语音]',
    location: '[位置]',
    other: '[消息]',
    mentioned: '[有人@我] ',
    everyone: '所有人',
    one: '新消息',
    oneFrom: (who: string) => `${who} 发来一条新消息`,
    many: (n: number) => `${n} 条新消息`,
    manyFrom: (n: number, who: string) => `${who} 发来 ${n} 条新消息`,
    unread: (n: number) => `${n} 条未读消息`,
    open: '打开 Parley',
    quit: '退出',
  },
} as const;

export function words(locale: Locale) {
  return WORDS[locale];
}

const MAX_PREVIEW = 120;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `@id` of each id the message mentions, as `@Name` (the way the app shows it); `@all` as everyone. */
export function withMentionNames(text: string, mentions: readonly string[] | undefined, locale: Locale, nameOf: (userId: string) => string): string {
  let result = text;
  for (const id of mentions ?? []) {
    const name = id === '@all' ? WORDS[locale].everyone : nameOf(id);
    const token = id === '@all' ? 'all' : id;
    // The id ends where an id's characters end (so @bob does not rewrite @bobby).
    result = result.replace(new RegExp(`@${escapeRegExp(token)}(?![A-Za-z0-9_.@-])`, 'g'), () => `@${name}`);
  }
  return result;
}

/** One line of text standing for a message, at most MAX_PREVIEW code points; mentions read as names. */
export function messageSummary(message: MessageView, locale: Locale, nameOf: (userId: string) => string = (id) => id): string {
  const w = WORDS[locale];
  const body = message.body as Record<string, unknown>;
  const str = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
  let text: string;
  switch (message.kind) {
    case 'text':
      text = withMentionNames(str('text'), message.mentions, locale, nameOf);
      break;
    case 'image':
      text = w.image;
      break;
    case 'file':
      text = `${w.file} ${str('name')}`;
      break;
    case 'voice':
      text = w.voice;
      break;
    case 'location':
      text = `${w.location} ${str('label')}`;
      break;
    default:
      text = w.other;
  }
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const points = Array.from(oneLine);
  return points.length > MAX_PREVIEW ? points.slice(0, MAX_PREVIEW - 1).join('') + '…' : oneLine;
}

export interface NotificationInput {
  convId: string;
  conversationTitle: string;
  conversationKind: ConvKindName;
  /** The latest messages of the burst, oldest first (at least one). */
  messages: MessageView[];
  /** Messages in the whole burst. */
  total: number;
  mentioned: boolean;
  preview: boolean;
  sound: boolean;
  locale: Locale;
  /** A user's display name (senders, and the users a message mentions). */
  senderName(userId: string): string;
}

export function formatNotification(input: NotificationInput): NotificationRequest {
  const w = WORDS[input.locale];
  const latest = input.messages[input.messages.length - 1];
  if (!latest) throw new RangeError('a notification needs a message');
  const senders = new Set(input.messages.map((m) => m.from));
  const soleSender = senders.size === 1 ? input.senderName(latest.from) : null;
  const inPrivate = input.conversationKind === 'private';
  let body: string;
  if (input.total > 1) {
    body = soleSender !== null && !inPrivate ? w.manyFrom(input.total, soleSender) : w.many(input.total);
  } else if (input.preview) {
    const text = messageSummary(latest, input.locale, input.senderName);
    body = inPrivate ? text : `${input.senderName(latest.from)}: ${text}`;
  } else {
    body = inPrivate ? w.one : w.oneFrom(input.senderName(latest.from));
  }
  return {
    tag: input.convId,
    convId: input.convId,
    title: input.conversationTitle,
    body: (input.mentioned ? w.mentioned : '') + body,
    count: input.total,
    mentioned: input.mentioned,
    silent: !input.sound,
  };
}
