/**
 * Title, a subtitle (presence or typing; a group's member count; a chatroom's online count) and the
 * conversation's own actions (search here, pin, mute, info; Leave for a chatroom, which has no pin or mute).
 */
import { groupIdOf, roomIdOf } from '../../../protocol/pure.js';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationView, UserView } from '../../../preload/api-types';
import { useModel } from '../app/model-context';
import { useNow } from '../app/use-now';
import { Avatar } from '../common/Avatar';
import { Icon } from '../common/Icon';
import { useStore } from '../lib/store';
import { formatLastSeen } from '../lib/time-format';
import { useRoomOnline } from '../rooms/use-room-online';
import { leaveRoom, setMuted, setPinned } from '../sidebar/conversation-actions';

export interface ConversationHeaderProps {
  conversation: ConversationView;
  peer: UserView | null;
  peerId: string | null;
  typingNames: readonly string[];
  infoOpen: boolean;
  onToggleInfo: () => void;
  onSearchHere: () => void;
}

export function ConversationHeader({ conversation: c, peer, peerId, typingNames, infoOpen, onToggleInfo, onSearchHere }: ConversationHeaderProps) {
  const { t, i18n } = useTranslation();
  const model = useModel();
  const now = useNow(30_000);
  const groups = useStore(model.groups);
  const isRoom = c.kind === 'room';
  const roomId = roomIdOf(c.convId);
  const online = useRoomOnline(roomId);
  const memberCount = c.kind === 'group' && !c.left ? groups.get(groupIdOf(c.convId) ?? '')?.info?.memberCount : undefined;
  const [leaving, setLeaving] = useState(false);

  const onLeave = async () => {
    setLeaving(true);
    if (!(await leaveRoom(model, c))) setLeaving(false);
  };

  let subtitle: string | null = null;
  let live = false;
  if (typingNames.length > 0) {
    live = true;
    subtitle =
      c.kind === 'private'
        ? t('conversation.typing')
        : typingNames.length === 1
          ? t('conversation.typingNamed', { name: typingNames[0] ?? '' })
          : t('conversation.typingMany', { names: typingNames.slice(0, 3).join(', ') });
  } else if (peer) {
    live = peer.online;
    subtitle = peer.online ? t('conversation.online') : peer.lastSeen > 0 ? formatLastSeen(peer.lastSeen, now, i18n.language, t) : null;
  } else if (isRoom) {
    subtitle = online !== null ? t('rooms.online', { count: online }) : null;
  } else if (memberCount !== undefined) {
    subtitle = t('rooms.members', { count: memberCount });
  }

  return (
    <header className="conversation-header">
      {peerId ? (
        <button type="button" className="avatar-button" onClick={() => model.people.openProfile(peerId)} aria-label={t('directory.openProfile', { name: c.title })} data-testid="header-profile">
          <Avatar id={peerId} name={c.title} size="md" online={peer?.online} avatar={peer?.avatar} />
        </button>
      ) : (
        <Avatar id={c.convId} name={c.title} size="md" online={peer?.online} avatar={c.avatar} />
      )}
      <div className="conversation-heading">
        <h2 className="conversation-title" data-testid="conversation-title">
          {c.title}
          {c.muted ? (
            <span className="conv-flag" title={t('list.muted')}>
              <Icon name="bellOff" size={14} />
              <span className="visually-hidden">{t('list.muted')}</span>
            </span>
          ) : null}
        </h2>
        {subtitle ? (
          <p className={`conversation-subtitle${live ? ' is-live' : ''}`} data-testid={isRoom && !live ? 'room-online' : 'conversation-presence'} aria-live="polite">
            {subtitle}
          </p>
        ) : null}
      </div>
      <div className="toolbar" role="toolbar" aria-label={c.title}>
        <button type="button" className="icon-button" onClick={onSearchHere} aria-label={t('conversation.searchHere')} title={t('conversation.searchHere')} data-testid="search-here">
          <Icon name="search" />
        </button>
        {isRoom ? null : (
          <>
            <button
              type="button"
              className="icon-button"
              aria-pressed={c.pinned}
              onClick={() => void setPinned(model, c, !c.pinned)}
              aria-label={c.pinned ? t('conversation.unpin') : t('conversation.pin')}
              title={c.pinned ? t('conversation.unpin') : t('conversation.pin')}
              data-testid="header-pin"
            >
              <Icon name={c.pinned ? 'pinOff' : 'pin'} />
            </button>
            <button
              type="button"
              className="icon-button"
              aria-pressed={c.muted}
              onClick={() => void setMuted(model, c, !c.muted)}
              aria-label={c.muted ? t('conversation.unmute') : t('conversation.mute')}
              title={c.muted ? t('conversation.unmute') : t('conversation.mute')}
              data-testid="header-mute"
            >
              <Icon name={c.muted ? 'bell' : 'bellOff'} />
            </button>
          </>
        )}
        <button type="button" className="icon-button" aria-pressed={infoOpen} aria-expanded={infoOpen} onClick={onToggleInfo} aria-label={t('conversation.info')} title={t('conversation.info')} data-testid="header-info">
          <Icon name="info" />
        </button>
        {isRoom ? (
          <button type="button" className="button room-leave" onClick={() => void onLeave()} disabled={leaving} title={t('rooms.leaveRoom')} data-testid="room-leave">
            <Icon name="logout" size={16} />
            {t('rooms.leave')}
          </button>
        ) : null}
      </div>
    </header>
  );
}
