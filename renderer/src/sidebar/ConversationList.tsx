/**
 * The conversation list: one row per conversation, pinned first then by last activity. Arrow keys move
 * between rows; the context menu (right click, Shift+F10, ContextMenu key) pins, mutes and marks read.
 */
import { useEffect, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationView } from '../../../preload/api-types';
import { privatePeer } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { useNow } from '../app/use-now';
import { Menu, menuPointFor, type MenuItem } from '../common/Menu';
import { isContextMenuKey } from '../common/focus';
import { useStore } from '../lib/store';
import { previewUserIds } from '../lib/preview';
import { ConversationRow } from './ConversationRow';
import { deleteChat, leaveRoom, markRead, setMuted, setPinned } from './conversation-actions';

export interface ConversationListProps {
  conversations: readonly ConversationView[];
  loaded: boolean;
  filtered: boolean;
  activeId: string | null;
  selfId: string;
  onNewChat?: () => void;
}

export function ConversationList({ conversations, loaded, filtered, activeId, selfId, onNewChat }: ConversationListProps) {
  const { t } = useTranslation();
  const model = useModel();
  const drafts = useStore(model.drafts);
  const typing = useStore(model.typing);
  const users = useStore(model.users);
  const selfName = useStore(model.session)?.name;
  const now = useNow(60_000);
  const [menu, setMenu] = useState<{ conv: ConversationView; x: number; y: number } | null>(null);

  const nameOf = (id: string) => users.get(id)?.name || id;

  // Previews name people (group senders, mentions, who did what in a notice): ask main for those names.
  useEffect(() => {
    // …and the other person of each private chat, for their avatar.
    const peers = conversations.flatMap((c) => privatePeer(c.convId, selfId) ?? []);
    model.ensureUsers([...conversations.flatMap(previewUserIds), ...peers].filter((id) => id !== selfId));
  }, [model, conversations, selfId]);

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
    const rows = Array.from(e.currentTarget.querySelectorAll<HTMLElement>('.conv-row'));
    const at = rows.indexOf(document.activeElement as HTMLElement);
    if (at < 0) return;
    e.preventDefault();
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? rows.length - 1 : e.key === 'ArrowDown' ? Math.min(rows.length - 1, at + 1) : Math.max(0, at - 1);
    rows[next]?.focus();
  };

  if (!loaded) {
    return (
      <div className="conv-list-state" role="status">
        <span className="spinner" aria-hidden="true" /> {t('app.loading')}
      </div>
    );
  }
  if (conversations.length === 0) {
    return (
      <div className="conv-list-state">
        <p className="conv-list-empty-title">{filtered ? t('list.emptyFiltered') : t('list.empty')}</p>
        {filtered ? null : (
          <>
            <p className="muted">{t('list.emptyHint')}</p>
            {onNewChat ? (
              <button type="button" className="button button-primary" onClick={onNewChat}>
                {t('nav.newChat')}
              </button>
            ) : null}
          </>
        )}
      </div>
    );
  }

  const items = (c: ConversationView): MenuItem[] => {
    const list: MenuItem[] = [];
    // Chatrooms keep no per-user state on the server: no pin or mute; a group the user left takes none either.
    if (c.kind !== 'room' && !c.left) {
      list.push(
        { id: c.pinned ? 'unpin' : 'pin', label: c.pinned ? t('menu.unpin') : t('menu.pin'), icon: c.pinned ? 'pinOff' : 'pin', onSelect: () => void setPinned(model, c, !c.pinned) },
        { id: c.muted ? 'unmute' : 'mute', label: c.muted ? t('menu.unmute') : t('menu.mute'), icon: c.muted ? 'bell' : 'bellOff', onSelect: () => void setMuted(model, c, !c.muted) },
      );
    }
    if (c.unread > 0) list.push({ id: 'mark-read', label: t('menu.markRead'), icon: 'check', onSelect: () => void markRead(model, c) });
    if (c.kind === 'room') list.push({ id: 'leave-room', label: t('rooms.leave'), icon: 'logout', danger: true, onSelect: () => void leaveRoom(model, c) });
    if (c.left) list.push({ id: 'delete-chat', label: t('rooms.deleteChat'), icon: 'trash', danger: true, onSelect: () => void deleteChat(model, c) });
    return list;
  };

  return (
    <>
      <ul className="conv-list" aria-label={t('list.label')} onKeyDown={onKeyDown} data-testid="conversation-list">
        {conversations.map((c) => (
          <ConversationRow
            key={c.convId}
            conversation={c}
            active={c.convId === activeId}
            selfId={selfId}
            draft={c.convId === activeId ? '' : drafts.get(c.convId)}
            typing={(typing.get(c.convId)?.length ?? 0) > 0}
            now={now}
            selfName={selfName}
            avatar={(c.kind === 'private' ? users.get(privatePeer(c.convId, selfId) ?? '')?.avatar : undefined) ?? c.avatar}
            nameOf={nameOf}
            onOpen={() => model.navigate(c.convId)}
            onContextMenu={(e) => {
              e.preventDefault();
              if (items(c).length > 0) setMenu({ conv: c, x: e.clientX, y: e.clientY });
            }}
            onKeyDown={(e) => {
              if (!isContextMenuKey(e)) return;
              e.preventDefault();
              setMenu({ conv: c, ...menuPointFor(e.currentTarget) });
            }}
          />
        ))}
      </ul>
      {menu ? (
        <Menu items={items(menu.conv)} x={menu.x} y={menu.y} label={t('list.actions', { title: menu.conv.title })} onClose={() => setMenu(null)} />
      ) : null}
    </>
  );
}
