/**
 * Shown while not connected: "Connecting…" or "Offline", a live countdown to the next attempt, "Retry now",
 * and how many messages wait in the outbox. Reading and writing go on as usual while offline.
 * The countdown is hidden from screen readers, which would otherwise announce it every second.
 */
import { useTranslation } from 'react-i18next';
import { useModel } from '../app/model-context';
import { useNow } from '../app/use-now';
import { useStore } from '../lib/store';
import { Icon } from './Icon';

export function ConnectionBanner() {
  const { t } = useTranslation();
  const model = useModel();
  const connection = useStore(model.connection);
  const counting = connection.state !== 'online' && typeof connection.nextRetryAt === 'number';
  const now = useNow(1000, counting);
  if (connection.state === 'online') return null;

  const seconds = counting ? Math.ceil(((connection.nextRetryAt as number) - now) / 1000) : null;
  return (
    <div className={`connection-banner connection-${connection.state}`} role="alert" data-testid="connection-banner" data-state={connection.state}>
      {connection.state === 'offline' ? <Icon name="wifiOff" size={16} /> : <span className="spinner" aria-hidden="true" />}
      <span className="connection-state">
        {connection.state === 'offline' ? t('connection.offline') : t('connection.connecting')}
        {connection.reason ? <span className="connection-reason"> {t('connection.reason', { reason: connection.reason })}</span> : null}
      </span>
      {seconds !== null ? (
        <span className="connection-countdown" aria-hidden="true" data-testid="connection-countdown">
          {seconds > 0 ? t('connection.retryIn', { count: seconds }) : t('connection.retryingNow')}
        </span>
      ) : null}
      {connection.state === 'offline' && connection.reason !== 'signed out' ? (
        <button type="button" className="connection-retry" onClick={() => void model.api.connection.retry().catch(() => undefined)} data-testid="connection-retry">
          {t('connection.retryNow')}
        </button>
      ) : null}
      {connection.queued > 0 ? (
        <span className="connection-queued" data-testid="connection-queued">
          {t('connection.queued', { count: connection.queued })}
        </span>
      ) : null}
    </div>
  );
}
