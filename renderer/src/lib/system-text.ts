/**
 * The sentence a group's system entry reads as ("Alice created the group", "Bob将你禁言"), shared by the
 * conversation (MessageRow) and the chat list's preview so both say the same thing.
 */
import type { TFunction } from 'i18next';
import type { SystemNoticeBody } from '../../../preload/api-types';

const SYSTEM_KEYS: Record<string, string> = {
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
  const b = body as { event?: unknown; actor?: unknown; targets?: unknown; name?: unknown; announcement?: unknown; joinPolicy?: unknown; admin?: unknown; untilTs?: unknown };
  const event = typeof b.event === 'string' ? b.event : undefined;
  let key = event ? SYSTEM_KEYS[event] : undefined;
  if (!key) return t('system.unknown');
  const actorId = typeof b.actor === 'string' ? b.actor : undefined;
  const targetIds = Array.isArray(b.targets) ? b.targets.filter((x): x is string => typeof x === 'string') : [];
  const name = typeof b.name === 'string' ? b.name : undefined;
  const announcementText = typeof b.announcement === 'string' ? b.announcement : undefined;
  const actor = actorId === selfId ? t('message.you') : actorId ? nameOf(actorId) : t('system.someone');
  const targets = listFormat(locale).format(targetIds.map((id) => (id === selfId ? t('system.youTarget') : nameOf(id))));
  // Some events read better with what changed.
  if (event === 'group.updated') {
    if (name !== undefined) key = 'system.groupRenamed';
    else if (announcementText !== undefined) key = announcementText.trim() ? 'system.announcementUpdated' : 'system.announcementCleared';
    else if (b.joinPolicy !== undefined) key = 'system.policyChanged';
  } else if (event === 'group.muted') {
    const on = (typeof b.untilTs === 'number' ? b.untilTs : 0) > ts;
    key = targetIds.length ? (on ? 'system.memberMuted' : 'system.memberUnmuted') : on ? 'system.allMuted' : 'system.allUnmuted';
  } else if (event === 'admins.changed' && typeof b.admin === 'boolean') {
    key = b.admin ? 'system.adminAdded' : 'system.adminRemoved';
  }
  const announcement = Array.from((announcementText ?? '').replace(/\s+/g, ' ').trim());
  const excerpt = announcement.length > ANNOUNCEMENT_MAX ? `${announcement.slice(0, ANNOUNCEMENT_MAX - 1).join('')}…` : announcement.join('');
  return t(key as 'system.groupCreated', { actor, targets, name: name ?? '', announcement: excerpt });
}

/** Everyone a system entry names, so their display names can be fetched. */
export function systemUserIds(body: Partial<SystemNoticeBody> | Record<string, unknown>): string[] {
  const b = body as { actor?: unknown; targets?: unknown };
  const ids = [...(typeof b.actor === 'string' ? [b.actor] : []), ...(Array.isArray(b.targets) ? b.targets.filter((x): x is string => typeof x === 'string') : [])];
  return [...new Set(ids)];
}
