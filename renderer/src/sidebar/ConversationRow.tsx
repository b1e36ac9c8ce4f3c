import { memo, type KeyboardEvent, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationView } from '../../../preload/api-types';
import { privatePeer } from '../../../protocol/pure.js';
import { Avatar } from '../common/Avatar';
import { Icon } from '../common/Icon';
import { rowPreview } from '../lib/preview';
import { formatListTime } from '../lib/time-format';

export interface ConversationRowProps {
  conversation: ConversationView;
  active: boolean;
  selfId: string;
  /** The user's display name: how a mention of them reads in the preview. */
  selfName?: string | undefined;
  /** The locally typed draft, if newer than the one main holds. */
  draft: string | undefined;
  typing: boolean;
  /** The peer's avatar in a private chat, the conversation's own otherwise. */
  avatar?: string | undefined;
  now: number;
  nameOf: (userId: string) => string;
  onOpen: () => void;
  onContextMenu: (e: MouseEvent<HTMLButtonElement>) => void;
  onKeyDown: (e: KeyboardEvent<HTMLButtonElement>) => void;
}

export const ConversationRow = memo(function ConversationRow(props: ConversationRowProps) {
  const { conversation: c, active, selfId, typing, now } = props;
  const { t, i18n } = useTranslation();
  // In a private chat the other person's name is the chat's title, even before users.get answers.
  const nameOf = (id: string) => (c.kind === 'private' && id !== selfId ? c.title : props.nameOf(id));
  const preview = rowPreview(c, { selfId, selfName: props.selfName, draft: props.draft, nameOf, t, locale: i18n.language });
  const time = c.lastMessage?.ts ?? c.updatedAt;
  const badge = c.unread > 99 ? '99+' : String(c.unread);
  const avatarId = privatePeer(c.convId, selfId) ?? c.convId;

  return (
    <li className="conv-item">
      <button
        type="button"
        className={`conv-row${active ? ' is-active' : ''}${c.pinned ? ' is-pinned' : ''}`}
        aria-current={active ? 'true' : undefined}
        onClick={props.onOpen}
        onContextMenu={props.onContextMenu}
        onKeyDown={props.onKeyDown}
        data-testid={`conv-${c.convId}`}
        data-unread={c.unread}
        data-pinned={c.pinned}
        data-muted={c.muted}
      >
        <Avatar id={avatarId} name={c.title} size="md" avatar={props.avatar} />
        <span className="conv-main">
          <span className="conv-top">
            <span className="conv-title">{c.title}</span>
            {c.muted ? (
              <span className="conv-flag" title={t('list.muted')}>
                <Icon name="bellOff" size={14} />
                <span className="visually-hidden">{t('list.muted')}</span>
              </span>
            ) : null}
            {time > 0 ? <span className="conv-time">{formatListTime(time, now, i18n.language, t)}</span> : null}
          </span>
          <span className="conv-bottom">
            <span className="conv-preview" data-testid="conv-preview">
              {typing && !preview.marker ? (
                <span className="conv-typing">{t('list.typing')}</span>
              ) : (
                <>
                  {preview.marker ? (
                    <span className={`conv-marker conv-marker-${preview.marker.kind}`} data-testid={`conv-marker-${preview.marker.kind}`}>
                      {preview.marker.text}
                      {preview.marker.kind === 'mention' ? <span className="visually-hidden">{t('list.mentionedLabel')}</span> : null}
                    </span>
                  ) : null}
                  {preview.status === 'failed' ? (
                    <span className="conv-status conv-status-failed" title={t('preview.failed')}>
                      <Icon name="alert" size={14} />
                      <span className="visually-hidden">{t('preview.failed')}</span>
                    </span>
                  ) : preview.status === 'pending' ? (
                    <span className="conv-status" title={t('preview.sending')}>
                      <Icon name="clock" size={14} />
                      <span className="visually-hidden">{t('preview.sending')}</span>
                    </span>
                  ) : null}
                  <span className="conv-preview-text">{preview.text}</span>
                </>
              )}
            </span>
            {c.pinned && c.unread === 0 ? (
              <span className="conv-flag conv-pin" title={t('list.pinned')}>
                <Icon name="pin" size={14} />
                <span className="visually-hidden">{t('list.pinned')}</span>
              </span>
            ) : null}
            {c.unread > 0 ? (
              <span className={`badge${c.muted ? ' badge-muted' : ''}`} data-testid="unread-badge">
                <span aria-hidden="true">{badge}</span>
                <span className="visually-hidden">{t('list.unread', { count: c.unread })}</span>
              </span>
            ) : null}
          </span>
        </span>
      </button>
    </li>
  );
});
