/**
 * In-app notifications (for hosts without system notifications, main asks through notification:requested)
 * and error/info toasts. Clicking a message toast opens its conversation. Hovering or focusing keeps a toast.
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { privatePeer } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { errorText } from '../lib/errors';
import { playNotificationSound } from '../lib/notification-sound';
import { useStore } from '../lib/store';
import type { Toast } from '../state/app-model';
import { Avatar } from './Avatar';
import { Icon } from './Icon';

export function Toasts() {
  const { t } = useTranslation();
  const model = useModel();
  const toasts = useStore(model.toasts);
  const settings = useStore(model.settings);
  const played = useRef(new Set<number>());

  useEffect(() => {
    for (const toast of toasts) {
      if (toast.kind !== 'notification' || played.current.has(toast.id)) continue;
      played.current.add(toast.id);
      if (!toast.request.silent && settings.notifications.sound) playNotificationSound();
    }
  }, [toasts, settings.notifications.sound]);

  return (
    <section className="toasts" aria-label={t('toast.region')}>
      <div aria-live="polite" className="toast-stack">
        {toasts.filter((x) => x.kind !== 'error').map((toast) => (
          <ToastView key={toast.id} toast={toast} />
        ))}
      </div>
      <div role="alert" className="toast-stack">
        {toasts.filter((x) => x.kind === 'error').map((toast) => (
          <ToastView key={toast.id} toast={toast} />
        ))}
      </div>
    </section>
  );
}

function ToastView({ toast }: { toast: Toast }) {
  const { t } = useTranslation();
  const model = useModel();
  const selfId = useStore(model.session)?.userId;
  const hold = {
    onMouseEnter: () => model.holdToast(toast.id, true),
    onMouseLeave: () => model.holdToast(toast.id, false),
    onFocus: () => model.holdToast(toast.id, true),
    onBlur: () => model.holdToast(toast.id, false),
  };
  const dismiss = (
    <button type="button" className="icon-button toast-dismiss" aria-label={t('toast.dismiss')} onClick={() => model.dismissToast(toast.id)}>
      <Icon name="close" size={16} />
    </button>
  );

  if (toast.kind === 'notification') {
    const { request } = toast;
    return (
      <div className="toast toast-message" data-testid="toast" data-conv-id={request.convId} {...hold}>
        <button
          type="button"
          className="toast-main"
          onClick={() => {
            model.dismissToast(toast.id);
            void model.openNotified(request);
          }}
        >
          <Avatar id={(selfId ? privatePeer(request.convId, selfId) : null) ?? request.convId} name={request.title} size="md" />
          <span className="toast-text">
            <span className="toast-title">
              {request.title}
              {request.mentioned ? <span className="toast-mention">{t('toast.mentioned')}</span> : null}
            </span>
            <span className="toast-body">{request.body}</span>
            {request.count > 1 ? <span className="toast-more">{t('toast.more', { count: request.count - 1 })}</span> : null}
          </span>
        </button>
        {dismiss}
      </div>
    );
  }
  return (
    <div className={`toast toast-${toast.kind}`} data-testid={toast.kind === 'error' ? 'toast-error' : 'toast-info'} {...hold}>
      {toast.kind === 'error' ? <Icon name="alert" className="toast-icon" /> : <Icon name="check" className="toast-icon" />}
      <span className="toast-plain">{toast.kind === 'error' ? (toast.text ?? errorText(toast.error, t)) : toast.text}</span>
      {dismiss}
    </div>
  );
}
