/**
 * The info panel beside the messages for private chats and chatrooms: who this is and the conversation's
 * switches (chatrooms keep no per-user state, so they have none). Groups have GroupInfoPanel.
 */
import { useTranslation } from 'react-i18next';
import type { ConversationView, UserView } from '../../../preload/api-types';
import { useModel } from '../app/model-context';
import { useNow } from '../app/use-now';
import { Avatar } from '../common/Avatar';
import { Icon } from '../common/Icon';
import { useStore } from '../lib/store';
import { formatLastSeen } from '../lib/time-format';
import { setMuted, setPinned } from '../sidebar/conversation-actions';

export function InfoPanel({ conversation: c, peer, peerId, onClose }: { conversation: ConversationView; peer: UserView | null; peerId: string | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const model = useModel();
  const blocked = useStore(model.blocked);
  const now = useNow(30_000);
  const isBlocked = peerId !== null && blocked.has(peerId);

  const toggleBlock = async () => {
    if (!peerId) return;
    const next = new Set(blocked);
    if (isBlocked) next.delete(peerId);
    else next.add(peerId);
    model.blocked.set(next);
    try {
      if (isBlocked) await model.api.users.unblock({ userId: peerId });
      else await model.api.users.block({ userId: peerId });
    } catch (error) {
      model.blocked.set(blocked);
      model.pushError(error);
    }
  };

  return (
    <aside className="info-panel" aria-label={t('conversation.info')} data-testid="info-panel">
      <header className="info-panel-header">
        <h2 className="info-panel-title">{t('conversation.info')}</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('conversation.closeInfo')}>
          <Icon name="close" />
        </button>
      </header>
      <div className="info-profile">
        <Avatar id={peerId ?? c.convId} name={c.title} size="xl" online={peer?.online} avatar={peer?.avatar ?? c.avatar} />
        <p className="info-name">{c.title}</p>
        {peer?.status ? (
          <p className="info-status" data-testid="info-status">
            {peer.status}
          </p>
        ) : null}
        {peer ? <p className={`info-presence${peer.online ? ' is-live' : ''}`}>{peer.online ? t('conversation.online') : peer.lastSeen > 0 ? formatLastSeen(peer.lastSeen, now, i18n.language, t) : ''}</p> : null}
      </div>
      {peerId ? (
        <dl className="info-facts">
          <dt>{t('conversation.memberId')}</dt>
          <dd className="mono">{peerId}</dd>
        </dl>
      ) : null}
      {c.kind === 'room' ? (
        <dl className="info-facts">
          <dt>{t('rooms.roomId')}</dt>
          <dd className="mono" data-testid="room-id">{c.convId.slice(2)}</dd>
        </dl>
      ) : null}
      {c.kind === 'room' ? null : (
        <div className="info-switches">
          <label className="switch-row">
            <span>{t('list.pinned')}</span>
            <input type="checkbox" className="switch" role="switch" checked={c.pinned} onChange={(e) => void setPinned(model, c, e.target.checked)} />
          </label>
          <label className="switch-row">
            <span>{t('list.muted')}</span>
            <input type="checkbox" className="switch" role="switch" checked={c.muted} onChange={(e) => void setMuted(model, c, e.target.checked)} />
          </label>
        </div>
      )}
      {peerId ? (
        <div className="info-actions">
          {isBlocked ? <p className="muted">{t('conversation.blocked')}</p> : null}
          <button type="button" className={isBlocked ? 'button' : 'button button-danger-quiet'} onClick={() => void toggleBlock()} data-testid="block-toggle">
            <Icon name="block" size={18} />
            {isBlocked ? t('conversation.unblock') : t('conversation.block')}
          </button>
        </div>
      ) : null}
    </aside>
  );
}
