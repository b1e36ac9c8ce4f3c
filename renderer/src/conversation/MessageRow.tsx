/**
 * One row of the message list: an optional day separator and "new messages" divider above, then either a
 * notice (recalled, system) or a bubble with its quote, content, time, edited mark and delivery state.
 * Own messages sit on the right. A failed message offers Retry and Delete right under it; an edit or recall
 * on its way is marked, and a refused one says why with Retry and Discard (ChangeNotice).
 */
import { memo, useEffect, type FocusEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationView, MessageView } from '../../../preload/api-types';
import { useModel } from '../app/model-context';
import { UserAvatar } from '../common/UserAvatar';
import { Icon } from '../common/Icon';
import { isContextMenuKey } from '../common/focus';
import { menuPointFor } from '../common/Menu';
import { avatarHue } from '../lib/avatar-color';
import { failureText, isNotContacts } from '../lib/errors';
import { privatePeer } from '../../../protocol/pure.js';
import { useStore } from '../lib/store';
import { systemText } from '../lib/system-text';
import { formatClock, formatFullTime } from '../lib/time-format';
import type { UploadProgress } from '../state/app-model';
import { FileContent, ImageContent, LocationContent, TextContent, VoiceContent, type ImageTarget, type MentionDisplay } from './MessageContent';
import { ChangeFailed, ChangeMark } from './ChangeNotice';
import { changeDisplay } from './message-actions';
import { QuoteBlock } from './QuoteBlock';
import { readCountsFor, useReadCount } from './read-counts';

export interface MessageActions {
  openMenu(message: MessageView, x: number, y: number): void;
  reply(message: MessageView): void;
  retry(message: MessageView): void;
  remove(message: MessageView): void;
  /** A refused edit or recall (`message.change`): queue it again, or drop it. */
  retryChange(message: MessageView): void;
  discardChange(message: MessageView): void;
  openImage(target: ImageTarget): void;
  jumpTo(seq: number): void;
  focusRow(key: string): void;
}

export interface MessageRowProps {
  message: MessageView;
  rowKey: string;
  selfId: string;
  convKind: ConversationView['kind'];
  groupStart: boolean;
  groupEnd: boolean;
  dayLabel: string | null;
  unreadDivider: boolean;
  read: boolean;
  /** A group the user is in: own acknowledged messages show how many members read them. */
  groupReads?: boolean;
  highlighted: boolean;
  tabbable: boolean;
  quoted: MessageView | undefined;
  progress: UploadProgress | undefined;
  localPreview: string | undefined;
  nameOf: (userId: string) => string;
  actions: MessageActions;
}

export const MessageRow = memo(function MessageRow(props: MessageRowProps) {
  const { message: m, selfId, convKind, actions } = props;
  const { t, i18n } = useTranslation();
  const own = m.from === selfId;
  const name = own ? t('message.you') : props.nameOf(m.from);
  const model = useModel();
  // Refused because the two are not contacts: offer to add them right there.
  const notContactsPeer = m.status === 'failed' && isNotContacts(m.failure) ? privatePeer(m.convId, selfId) : null;
  const recallWindowMs = useStore(model.limits).recallWindowMs;
  // Groups show who wrote what (and who a notice is about): make sure main is asked for those names.
  useEffect(() => {
    if (convKind === 'private') return;
    const body = m.body as { actor?: string; targets?: string[] };
    model.ensureUsers([m.from, ...(body.actor ? [body.actor] : []), ...(body.targets ?? [])]);
  }, [model, convKind, m.from, m.body]);

  const above = (
    <>
      {props.dayLabel ? (
        <div className="day-separator" role="separator" aria-label={props.dayLabel}>
          <span>{props.dayLabel}</span>
        </div>
      ) : null}
      {props.unreadDivider ? (
        <div className="unread-divider" role="separator" data-testid="unread-divider">
          <span>{t('conversation.newMessages')}</span>
        </div>
      ) : null}
    </>
  );

  const dataAttrs = {
    'data-message-row': props.rowKey,
    'data-seq': m.seq ?? undefined,
    'data-client-msg-id': m.clientMsgId,
    'data-status': m.status,
    'data-read': own && props.read ? 'true' : undefined,
    'data-kind': m.kind,
    'data-recalled': m.recalled ? 'true' : undefined,
    'data-change': m.change ? `${m.change.kind}-${m.change.status}` : undefined,
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return;
    if (isContextMenuKey(e) || e.key === 'Enter') {
      e.preventDefault();
      const p = menuPointFor(e.currentTarget.querySelector('.msg-bubble') ?? e.currentTarget);
      actions.openMenu(m, p.x, p.y);
    }
  };
  const focusProps = {
    tabIndex: props.tabbable ? 0 : -1,
    onFocus: (e: FocusEvent<HTMLDivElement>) => {
      if (e.target === e.currentTarget) actions.focusRow(props.rowKey);
    },
    onKeyDown,
  };

  if (m.recalled || m.kind === 'system') {
    const text = m.recalled ? (own ? t('message.recalledByYou') : t('message.recalledBy', { name })) : systemText(m.body, m.ts, { selfId, nameOf: props.nameOf, t, locale: i18n.language });
    return (
      <div className="msg-item">
        {above}
        <div className={`msg-notice${props.highlighted ? ' is-highlighted' : ''}`} {...dataAttrs} {...focusProps}>
          <span>{text}</span>
        </div>
      </div>
    );
  }

  const status = own ? statusOf(m, props.read) : null;
  const readCount = status === 'sent' && props.groupReads === true && m.seq !== null;
  const showSender = convKind !== 'private' && !own && props.groupStart;
  const showAvatar = convKind !== 'private' && !own;
  const time = formatClock(m.ts, i18n.language);
  const change = changeDisplay(m.change, t, recallWindowMs);
  const recalling = change?.kind === 'recall' && change.status === 'pending';
  const contentKind = m.kind === 'image' || m.kind === 'file' || m.kind === 'voice' || m.kind === 'location' ? m.kind : 'text';

  return (
    <div className="msg-item">
      {above}
      <div
        className={`msg-row ${own ? 'is-own' : 'is-other'}${props.groupStart ? ' group-start' : ''}${props.groupEnd ? ' group-end' : ''}${props.highlighted ? ' is-highlighted' : ''}${recalling ? ' is-recalling' : ''}`}
        {...dataAttrs}
        {...focusProps}
        onContextMenu={(e) => {
          e.preventDefault();
          actions.openMenu(m, e.clientX, e.clientY);
        }}
      >
        {showAvatar ? (
          <span className="msg-avatar">
            {props.groupEnd ? (
              <button type="button" className="avatar-button" tabIndex={-1} onClick={() => model.people.openProfile(m.from)} aria-label={t('directory.openProfile', { name })}>
                <UserAvatar userId={m.from} name={name} size="sm" />
              </button>
            ) : null}
          </span>
        ) : null}
        <div className="msg-column">
          <div className="msg-line">
            <div className={`msg-bubble kind-${contentKind}${m.edited ? ' is-edited' : ''}${change?.status === 'pending' ? ' has-change' : ''}${status ? ' has-status' : ''}${readCount ? ' has-read-count' : ''}`}>
              {showSender ? (
                <button
                  type="button"
                  className="msg-sender name-button"
                  tabIndex={-1}
                  style={{ ['--sender-hue' as string]: avatarHue(m.from) }}
                  onClick={() => model.people.openProfile(m.from)}
                  data-testid="message-sender"
                >
                  {name}
                </button>
              ) : null}
              {m.replyTo ? <QuoteBlock convId={m.convId} seq={m.replyTo} loaded={props.quoted} nameOf={(id) => (id === selfId ? t('message.you') : props.nameOf(id))} onJump={actions.jumpTo} /> : null}
              <Content
                message={m}
                progress={props.progress}
                localPreview={props.localPreview}
                onOpenImage={actions.openImage}
                mentions={{
                  mentions: m.mentions,
                  selfId,
                  nameOf: (id) => (id === selfId ? model.session.get()?.name || selfId : props.nameOf(id)),
                  onOpen: (id) => model.people.openProfile(id),
                }}
              />
              <span className="msg-meta">
                {change?.status === 'pending' ? <ChangeMark change={change} /> : m.edited ? <span className="msg-edited">{t('message.edited')}</span> : null}
                <time dateTime={new Date(m.ts).toISOString()} title={formatFullTime(m.ts, i18n.language)}>
                  {time}
                </time>
                {readCount && m.seq !== null ? (
                  <GroupReadCount convId={m.convId} seq={m.seq} />
                ) : status ? (
                  <span className={`msg-status msg-status-${status}`} title={t(`message.${status}`)} data-testid="message-status">
                    <Icon name={status === 'pending' ? 'clock' : status === 'failed' ? 'alert' : status === 'read' ? 'checks' : 'check'} size={15} />
                    <span className="visually-hidden">{t(`message.${status}`)}</span>
                  </span>
                ) : null}
              </span>
            </div>
            <div className="msg-actions">
              {m.seq !== null ? (
                <button type="button" className="icon-button icon-button-sm" tabIndex={-1} aria-label={t('menu.reply')} title={t('menu.reply')} onClick={() => actions.reply(m)}>
                  <Icon name="reply" size={16} />
                </button>
              ) : null}
              <button
                type="button"
                className="icon-button icon-button-sm"
                tabIndex={-1}
                aria-label={t('menu.more')}
                title={t('menu.more')}
                onClick={(e) => {
                  const r = e.currentTarget.getBoundingClientRect();
                  actions.openMenu(m, r.left, r.bottom);
                }}
              >
                <Icon name="more" size={16} />
              </button>
            </div>
          </div>
          {m.status === 'failed' ? (
            <div className="msg-failed" data-testid="message-failed">
              <Icon name="alert" size={14} />
              <span className="msg-failed-text">
                {t('message.failed')}
                {m.failure ? ` · ${failureText(m.failure, t)}` : ''}
              </span>
              {notContactsPeer ? (
                <button type="button" className="link-button" onClick={() => model.people.openProfile(notContactsPeer)} data-testid="message-add-contact">
                  {t('contacts.notContactsAdd')}
                </button>
              ) : null}
              <button type="button" className="link-button" onClick={() => actions.retry(m)} data-testid="message-retry">
                {t('message.retry')}
              </button>
              <button type="button" className="link-button link-button-danger" onClick={() => actions.remove(m)} data-testid="message-delete">
                {t('message.delete')}
              </button>
            </div>
          ) : null}
          {change?.status === 'failed' ? <ChangeFailed change={change} onRetry={() => actions.retryChange(m)} onDiscard={() => actions.discardChange(m)} /> : null}
        </div>
      </div>
    </div>
  );
});

/** "3 read" / "All read" in place of the ticks; the plain "sent" tick until the first answer. */
function GroupReadCount({ convId, seq }: { convId: string; seq: number }) {
  const { t } = useTranslation();
  const model = useModel();
  const { value, refresh } = useReadCount(readCountsFor(model.api), convId, seq);
  if (!value || value.total === 0) {
    return (
      <span className="msg-status msg-status-sent" title={t('message.sent')} data-testid="message-status">
        <Icon name="check" size={15} />
        <span className="visually-hidden">{t('message.sent')}</span>
      </span>
    );
  }
  const all = value.count >= value.total;
  return (
    <button
      type="button"
      className={`read-count${all ? ' is-all' : ''}`}
      tabIndex={-1}
      title={t('rooms.readCountTitle', { count: value.count, total: value.total })}
      onClick={(e) => {
        e.stopPropagation();
        refresh();
      }}
      data-testid="read-count"
    >
      {all ? t('rooms.allRead') : value.count === 0 ? t('rooms.noneRead') : t('rooms.readCount', { count: value.count })}
    </button>
  );
}

function statusOf(m: MessageView, read: boolean): 'pending' | 'failed' | 'sent' | 'read' {
  if (m.status === 'pending' || m.status === 'failed') return m.status;
  return read ? 'read' : 'sent';
}

interface ContentProps {
  message: MessageView;
  progress: UploadProgress | undefined;
  localPreview: string | undefined;
  onOpenImage: (t: ImageTarget) => void;
  mentions: MentionDisplay;
}

function Content({ message: m, progress, localPreview, onOpenImage, mentions }: ContentProps) {
  const { t } = useTranslation();
  switch (m.kind) {
    case 'text':
      return <TextContent text={(m.body as { text?: string }).text ?? ''} mentions={mentions} />;
    case 'image':
      return <ImageContent message={m} localUrl={localPreview} progress={progress} onOpen={onOpenImage} />;
    case 'file':
      return <FileContent message={m} progress={progress} />;
    case 'voice':
      return <VoiceContent message={m} />;
    case 'location':
      return <LocationContent message={m} />;
    case 'custom':
      return <p className="msg-text msg-text-muted">{t('message.custom', { type: (m.body as { type?: string }).type ?? '' })}</p>;
    default:
      return null;
  }
}
