/**
 * Start a private chat: pick someone from the contacts and the directory matching what is typed, or type their
 * exact user id and press Start (conversation.startPrivate).
 */
import { useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isValidId } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { Dialog } from '../common/Dialog';
import { PeoplePicker } from '../contacts/PeoplePicker';
import { useStore } from '../lib/store';
import { errorText } from '../lib/errors';

export function NewChatDialog({ selfId, onClose, onStarted }: { selfId: string; onClose: () => void; onStarted: (convId: string) => void }) {
  const { t } = useTranslation();
  const model = useModel();
  const [userId, setUserId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const hintId = useId();

  const self = useMemo(() => new Set([selfId]), [selfId]);
  const contactsOnly = useStore(model.people.list).messaging === 'contacts';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await start(userId.trim());
  };

  const start = async (id: string) => {
    if (!isValidId(id)) return setError(t('auth.invalidUserId'));
    if (id === selfId) return setError(t('newChat.self'));
    setBusy(true);
    try {
      const { convId } = await model.api.conversation.startPrivate({ userId: id });
      onStarted(convId);
    } catch (err) {
      setError(errorText(err, t));
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('newChat.title')} onClose={onClose} className="dialog-sm" testId="new-chat-dialog">
      <form onSubmit={submit} noValidate className="stack">
        <div className="field">
          <label htmlFor={inputId}>{t('newChat.label')}</label>
          <input
            id={inputId}
            className="input"
            value={userId}
            autoCapitalize="off"
            spellCheck={false}
            onChange={(e) => {
              setUserId(e.target.value);
              setError(null);
            }}
            aria-describedby={hintId}
            aria-invalid={error ? true : undefined}
            data-autofocus
            data-testid="new-chat-user"
          />
          <span id={hintId} className="field-hint">
            {t('newChat.hint')}
          </span>
        </div>
        {contactsOnly ? (
          <p className="people-note" data-testid="new-chat-contacts-only">
            {t('contacts.onlyContacts')}
          </p>
        ) : null}
        <PeoplePicker text={userId} exclude={self} onPick={(p) => void start(p.userId)} />
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            {t('newChat.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={busy || !userId.trim()} data-testid="new-chat-start">
            {t('newChat.start')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
