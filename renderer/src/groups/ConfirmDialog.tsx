/** A small "are you sure?" dialog for the group actions that cannot be taken back (kick, transfer, leave, dismiss). */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../common/Dialog';

export interface ConfirmRequest {
  title: string;
  text: string;
  confirmLabel: string;
  /** Runs the action; the dialog stays (buttons disabled) until it settles. */
  run: () => Promise<void>;
}

export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest; onClose: () => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);

  const confirm = async () => {
    setBusy(true);
    try {
      await request.run();
    } finally {
      onClose();
    }
  };

  return (
    <Dialog title={request.title} onClose={onClose} className="dialog-sm" testId="confirm-dialog">
      <div className="stack">
        <p className="group-confirm-text">{request.text}</p>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={busy} data-autofocus data-testid="confirm-cancel">
            {t('groups.cancel')}
          </button>
          <button type="button" className="button group-danger-button" onClick={() => void confirm()} disabled={busy} data-testid="confirm-ok">
            {request.confirmLabel}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
