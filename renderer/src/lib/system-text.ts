/**
 * The sentence a group's system entry reads as ("Alice created the group", "Bob将你禁言"), shared by the
 * conversation (MessageRow) and the chat list's preview so both say the same thing.
 */
import type { TFunction } from 'i18next';
import type { SystemNoticeBody } from '../../../preload/api-types';
import { isGroupSystemBody, isSystemEventName, type GroupSystemBody, type SystemEventName } from '../../../protocol/pure.js';
import type { en } from '../i18n/en';

type SystemKey = `system.${keyof (typeof en)['system']}`;

/** Each event's sentence: a new event in protocol/ does not compile here until it has one. */
const SYSTEM_KEYS: Record<SystemEventName, SystemKey> = {
  'group.created': 'system.groupCreated',
  'member.invited': 'system.memberInvited',
  'member.joined': 'system.memberJoined',
  'member.left': 'system.memberLeft',
  'member.kicked': 'system.memberKicked',
  'owner.transferred': 'system.ownerTransferred',
  'admins.changed': 'system.adminsChanged',
  'group.updated': 'system.groupUpdated',
  'group.muted': 'system.groupMuted',
  'group.dismissed': 'system.groupDismissed',
};

/** Some events read better with what changed, which their body (checked against its schema) says. */
function sentenceOf(body: GroupSystemBody, ts: number): SystemKey {
  switch (body.event) {
    case 'group.updated':
      if (body.name !== undefined) return 'system.groupRenamed';
      if (body.announcement !== undefined) return body.announcement.trim() ? 'system.announcementUpdated' : 'system.announcementCleared';
      if (body.joinPolicy !== undefined) return 'system.policyChanged';
      return SYSTEM_KEYS[body.event];
    case 'group.muted': {
      const on = body.untilTs > ts;
      if (body.targets?.length) return on ? 'system.memberMuted' : 'system.memberUnmuted';
      return on ? 'system.allMuted' : 'system.allUnmuted';
    }
    case 'admins.changed':
      return body.admin ? 'system.adminAdded' : 'system.adminRemoved';
    default:
      return SYSTEM_KEYS[body.event];
  }
}

/** How long an announcement excerpt may be, in code points, before it is cut with "…". */
const ANNOUNCEMENT_MAX = 120;

export interface SystemTextOptions {
  selfId: string;
  /** Display names of other users. The user themself reads as "You"/"you" whatever this says. */
  nameOf: (userId: string) => string;
  t: TFunction;
  locale: string;
}

/** "you, Min and Ada" / "你、张敏和 Ada", as the language joins names. */
function listFormat(locale: string): Intl.ListFormat {
  try {
    return new Intl.ListFormat(locale, { type: 'conjunction', style: 'long' });
  } catch {
    return new Intl.ListFormat('en', { type: 'conjunction', style: 'long' });
  }
}

/**
 * `body` is the entry's body ({event, actor, targets, …}); `ts` is when the entry was written (a mute whose
 * end is already past at that time was a mute being lifted).
 */
export function systemText(body: Partial<SystemNoticeBody> | Record<string, unknown>, ts: number, options: SystemTextOptions): string {
  const { selfId, nameOf, t, locale } = options;
  const b = body as { event?: unknown; actor?: unknown; targets?: unknown; name?: unknown; announcement?: unknown };
  if (!isSystemEventName(b.event)) return t('system.unknown');
  // A body short of its event's fields still reads as the event's plain sentence.
  const key = isGroupSystemBody(body) ? sentenceOf(body, ts) : SYSTEM_KEYS[b.event];
  const actorId = typeof b.actor === 'string' ? b.actor : undefined;
  const targetIds = Array.isArray(b.targets) ? b.targets.filter((x): x is string => typeof x === 'string') : [];
  const name = typeof b.name === 'string' ? b.name : undefined;
  const announcementText = typeof b.announcement === 'string' ? b.announcement : undefined;
  const actor = actorId === selfId ? t('message.you') : actorId ? nameOf(actorId) : t('system.someone');
  const targets = listFormat(locale).format(targetIds.map((id) => (id === selfId ? t('system.youTarget') : nameOf(id))));
  const announcement = Array.from((announcementText ?? '').replace(/\s+/g, ' ').trim());
  const excerpt = announcement.length > ANNOUNCEMENT_MAX ? `${announcement.slice(0, ANNOUNCEMENT_MAX - 1).join('')}…` : announcement.join('');
  return t(key, { actor, targets, name: name ?? '', announcement: excerpt });
}

/** Everyone a system entry names, so their display names can be fetched. */
export function systemUserIds(body: Partial<SystemNoticeBody> | Record<string, unknown>): string[] {
  const b = body as { actor?: unknown; targets?: unknown };
  const ids = [...(typeof b.actor === 'string' ? [b.actor] : []), ...(Array.isArray(b.targets) ? b.targets.filter((x): x is string => typeof x === 'string') : [])];
  return [...new Set(ids)];
}
