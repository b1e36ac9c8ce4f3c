/**
 * How a message shows an edit or recall the server has not acknowledged: a quiet mark in the bubble's meta
 * line while it is on its way ("Editing…", "Recalling…"), and under the bubble, once refused, why and what
 * to do: Retry (messages.retry) or Discard (messages.delete), both with the change's clientMsgId.
 */
import { useTranslation } from 'react-i18next';
import { Icon } from '../common/Icon';
import type { ChangeDisplay } from './message-actions';

export function ChangeMark({ change }: { change: ChangeDisplay }) {
  return (
    <span className="msg-edited msg-change-mark" data-testid="change-pending">
      {change.label}
    </span>
  );
}

export function ChangeFailed({ change, onRetry, onDiscard }: { change: ChangeDisplay; onRetry: () => void; onDiscard: () => void }) {
  const { t } = useTranslation();
  const edit = change.kind === 'edit';
  return (
    <div className="msg-failed msg-change-failed" role="group" aria-label={change.label} data-testid="change-failed">
      <Icon name="alert" size={14} />
      <span className="msg-failed-text">
        {change.label}
        {change.reason ? ` · ${change.reason}` : ''}
      </span>
      {change.retryable ? (
        <button type="button" className="link-button" onClick={onRetry} aria-label={t(edit ? 'message.retryEdit' : 'message.retryRecall')} data-testid="change-retry">
          {t('message.retry')}
        </button>
      ) : null}
      <button type="button" className="link-button link-button-danger" onClick={onDiscard} aria-label={t(edit ? 'message.discardEdit' : 'message.discardRecall')} data-testid="change-discard">
        {t('message.discard')}
      </button>
    </div>
  );
}
