/**
 * A group's members, owner first, then admins, then members, with role and muted badges. Where the viewer's
 * role allows it, a "more" button per row opens the member actions (mute, kick, admin, transfer). Only the
 * first rows are drawn; a filter finds anyone further down.
 */
import { useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GroupMemberView, GroupRole } from '../../../preload/api-types';
import { useModel } from '../app/model-context';
import { useNow } from '../app/use-now';
import { UserAvatar } from '../common/UserAvatar';
import { Icon } from '../common/Icon';
import { Menu, type MenuItem } from '../common/Menu';
import { useStore } from '../lib/store';
import { isMuted, memberActions, sortMembers, type MemberAction } from './group-rules';

/**
 * Opens the menu leftwards from a button at the panel's right edge: the menu only moves itself back into the
 * window by the width it measured where it first appeared, squeezed against the edge.
 */
function menuPointBeside(button: Element): { x: number; y: number } {
  const rect = button.getBoundingClientRect();
  return { x: Math.max(8, rect.right - MENU_WIDTH), y: rect.bottom + 4 };
}
const MENU_WIDTH = 240;

/** Rows drawn at most; a big group's rest is reached through the filter. */
export const MAX_ROWS = 200;
const FILTER_FROM = 20;

export interface GroupMemberListProps {
  members: readonly GroupMemberView[];
  selfId: string;
  selfRole: GroupRole | null;
  onAction: (action: MemberAction, member: GroupMemberView) => void;
}

export function GroupMemberList({ members, selfId, selfRole, onAction }: GroupMemberListProps) {
  const { t } = useTranslation();
  const model = useModel();
  const users = useStore(model.users);
  const now = useNow(30_000);
  const [filter, setFilter] = useState('');
  const titleId = useId();
  const [menu, setMenu] = useState<{ member: GroupMemberView; x: number; y: number } | null>(null);

  const sorted = useMemo(() => sortMembers(members), [members]);
  const matching = useMemo(() => {
    const q = filter.trim().toLowerCase();
    if (!q) return sorted;
    return sorted.filter((m) => m.userId.toLowerCase().includes(q) || (users.get(m.userId)?.name ?? '').toLowerCase().includes(q));
  }, [sorted, filter, users]);
  const shown = useMemo(() => matching.slice(0, MAX_ROWS), [matching]);
  const hidden = matching.length - shown.length;

  useEffect(() => {
    model.ensureUsers(shown.map((m) => m.userId));
  }, [model, shown]);

  const nameOf = (id: string) => users.get(id)?.name || id;
  // A click that first scrolled the button into view fires that scroll event in the next frame, and a menu
  // closes on scroll: open it once that frame's scroll events are out.
  const openMenu = (member: GroupMemberView, button: HTMLElement) => {
    requestAnimationFrame(() => {
      if (button.isConnected) setMenu({ member, ...menuPointBeside(button) });
    });
  };
  const label = (action: MemberAction): string => t(`groups.action.${action}`);

  const items = (member: GroupMemberView): MenuItem[] =>
    memberActions({ userId: selfId, role: selfRole }, member, now).map((action) => ({
      id: action,
      label: label(action),
      danger: action === 'kick' || action === 'transfer',
      onSelect: () => onAction(action, member),
    }));

  return (
    <section className="group-section" aria-labelledby={titleId}>
      <h3 className="group-section-title" id={titleId}>
        {t('groups.membersTitle', { count: members.length })}
      </h3>
      {members.length > FILTER_FROM ? (
        <input
          className="input group-member-filter"
          type="search"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder={t('groups.filterMembers')}
          aria-label={t('groups.filterMembers')}
          data-testid="group-member-filter"
        />
      ) : null}
      <ul className="group-members" data-testid="group-members">
        {shown.map((m) => {
          const name = nameOf(m.userId);
          const muted = isMuted(m, now);
          const actions = memberActions({ userId: selfId, role: selfRole }, m, now);
          return (
            <li key={m.userId} className="group-member" data-testid={`group-member-${m.userId}`} data-role={m.role}>
              <button
                type="button"
                className="group-member-who"
                onClick={() => model.people.openProfile(m.userId)}
                aria-label={t('directory.openProfile', { name })}
                data-testid={`group-member-profile-${m.userId}`}
              >
                <UserAvatar userId={m.userId} name={name} size="sm" online={users.get(m.userId)?.online} />
                <span className="group-member-name" title={m.userId}>
                  {name}
                  {m.userId === selfId ? <span className="muted"> {t('groups.you')}</span> : null}
                </span>
              </button>
              {m.role !== 'member' ? <span className={`group-role group-role-${m.role}`}>{m.role === 'owner' ? t('groups.roleOwner') : t('groups.roleAdmin')}</span> : null}
              {muted ? (
                <span
                  className="group-muted-badge"
                  data-testid={`group-member-muted-${m.userId}`}
                  title={t('groups.mutedUntil', { time: new Date(m.mutedUntil ?? 0).toLocaleString() })}
                >
                  <Icon name="bellOff" size={14} />
                  <span>{t('groups.muted')}</span>
                </span>
              ) : null}
              {actions.length > 0 ? (
                <button
                  type="button"
                  className="icon-button icon-button-sm group-member-more"
                  aria-label={t('groups.memberActions', { name })}
                  aria-haspopup="menu"
                  aria-expanded={menu?.member.userId === m.userId}
                  onClick={(e) => openMenu(m, e.currentTarget)}
                  data-testid={`group-member-actions-${m.userId}`}
                >
                  <Icon name="more" size={18} />
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
      {hidden > 0 ? (
        <p className="muted group-more-note" data-testid="group-members-more">
          {t('groups.moreMembers', { count: hidden })}
        </p>
      ) : null}
      {menu ? <Menu items={items(menu.member)} x={menu.x} y={menu.y} label={t('groups.memberActions', { name: nameOf(menu.member.userId) })} onClose={() => setMenu(null)} /> : null}
    </section>
  );
}
