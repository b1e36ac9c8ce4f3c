/**
 * "Add": asks a user to become a contact, with an optional message typed in a small form that opens in place
 * (Enter sends, Esc closes). Shows the state instead once they are a contact or a request is waiting.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_CONTACT_MESSAGE } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { useStore } from '../lib/store';
import { requestContact } from './contact-actions';

export function RequestButton({ userId, name, primary }: { userId: string; name: string; primary?: boolean }) {
  const { t } = useTranslation();
  const model = useModel();
  const { contacts, requests } = useStore(model.people.list);
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const slot = useRef<HTMLSpanElement>(null);
  const [sent, setSent] = useState(false);
  const state = contacts.some((c) => c.userId === userId)
    ? t('directory.isContact')
    : requests.some((r) => r.userId === userId && r.direction === 'out')
      ? t('directory.requested')
      : null;
  // The form that had focus is gone once the request is sent (main's new list may come before the answer):
  // focus stays here, inside whatever dialog holds it.
  useEffect(() => {
    if (state !== null && (open || sent)) slot.current?.focus();
  }, [open, sent, state]);
  if (state !== null) {
    return (
      <span ref={slot} className="people-state" tabIndex={-1}>
        {state}
      </span>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const done = await requestContact(model, t, userId, name, message.trim());
    setBusy(false);
    if (done) {
      setOpen(false);
      setSent(true);
    }
  };

  if (!open) {
    return (
      <button
        type="button"
        className={primary ? 'button button-primary' : 'button'}
        onClick={() => setOpen(true)}
        aria-label={t('directory.addNamed', { name })}
        data-testid={`contact-add-${userId}`}
      >
        {t('directory.add')}
      </button>
    );
  }
  return (
    <form className="people-request-form" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), setOpen(false))} data-testid={`contact-request-form-${userId}`}>
      <label htmlFor={inputId} className="visually-hidden">
        {t('contacts.requestMessage')}
      </label>
      <input
        id={inputId}
        className="input"
        value={message}
        placeholder={t('contacts.requestMessage')}
        maxLength={MAX_CONTACT_MESSAGE}
        onChange={(e) => setMessage(e.target.value)}
        autoFocus
        data-testid={`contact-request-message-${userId}`}
      />
      <button type="submit" className="button button-primary" disabled={busy} data-testid={`contact-request-send-${userId}`}>
        {t('contacts.sendRequest')}
      </button>
      <button type="button" className="button" onClick={() => setOpen(false)}>
        {t('contacts.cancel')}
      </button>
    </form>
  );
}
