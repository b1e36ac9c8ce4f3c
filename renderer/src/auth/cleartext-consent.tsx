/**
 * A password is not sent in clear without the user saying so: a server address with plain http:// to another
 * computer gets a warning under the field, and submitting asks once for that exact address. Loopback
 * (localhost, 127.0.0.0/8, ::1) never travels a network, so it is not asked about.
 */
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isCleartextRemote } from '../../../protocol/pure.js';

export interface CleartextConsent {
  /** The address is plain http to another computer. */
  cleartext: boolean;
  /** The confirmation is showing. */
  asking: boolean;
  /** True when the password may go to `serverUrl` now; otherwise shows the confirmation. */
  mayProceed(serverUrl: string): boolean;
  /** The user agreed for `serverUrl`. */
  accept(serverUrl: string): void;
  cancel(): void;
}

export function useCleartextConsent(server: string): CleartextConsent {
  const [asking, setAsking] = useState(false);
  // A ref, so a resubmit right after accepting sees it; an edited address is asked about again.
  const accepted = useRef<string | null>(null);
  const cleartext = isCleartextRemote(server);
  return {
    cleartext,
    asking: asking && cleartext,
    mayProceed(serverUrl) {
      if (!isCleartextRemote(serverUrl) || accepted.current === serverUrl) return true;
      setAsking(true);
      return false;
    },
    accept(serverUrl) {
      accepted.current = serverUrl;
      setAsking(false);
    },
    cancel() {
      setAsking(false);
    },
  };
}

export function CleartextWarning() {
  const { t } = useTranslation();
  return (
    <span className="field-warning" data-testid="auth-cleartext-warning">
      {t('auth.cleartextWarning')}
    </span>
  );
}

export function CleartextConfirm({ onContinue, onCancel }: { onContinue: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="cleartext-confirm" role="alertdialog" aria-labelledby="auth-cleartext-title" aria-describedby="auth-cleartext-text" data-testid="auth-cleartext-confirm">
      <strong id="auth-cleartext-title">{t('auth.cleartextTitle')}</strong>
      <p id="auth-cleartext-text">{t('auth.cleartextQuestion')}</p>
      <div className="cleartext-confirm-actions">
        <button type="button" className="button" onClick={onCancel} data-testid="auth-cleartext-cancel" autoFocus>
          {t('auth.cleartextCancel')}
        </button>
        <button type="button" className="button button-danger-quiet" onClick={onContinue} data-testid="auth-cleartext-continue">
          {t('auth.cleartextContinue')}
        </button>
      </div>
    </div>
  );
}
