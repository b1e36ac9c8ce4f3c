/**
 * Changing the password: the current one, the new one twice. Checked here first (length, the two agree), then by
 * the server, which signs out every other device.
 */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useModel } from '../app/model-context';
import { errorCode, errorText } from '../lib/errors';
import { passwordProblem } from './password-check';

/** `onChanged`: the password was changed (and the account's other devices signed out). */
export function PasswordSection({ onChanged }: { onChanged?: () => void }) {
  const { t } = useTranslation();
  const model = useModel();
  const ids = { old: useId(), next: useId(), again: useId() };
  const [oldPassword, setOld] = useState('');
  const [newPassword, setNew] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    const problem = passwordProblem(oldPassword, newPassword, again);
    if (problem) {
      setError(t(`sessions.${problem}`));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await model.api.auth.changePassword({ oldPassword, newPassword });
      setOld('');
      setNew('');
      setAgain('');
      setDone(true);
      onChanged?.();
    } catch (err) {
      setError(errorCode(err) === 'FORBIDDEN' ? t('sessions.wrongPassword') : errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  const field = (id: string, label: string, value: string, set: (v: string) => void, autoComplete: string, testId: string) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} className="input" type="password" autoComplete={autoComplete} value={value} onChange={(e) => set(e.target.value)} data-testid={testId} />
    </div>
  );

  return (
    <form className="stack password-form" onSubmit={(e) => void submit(e)} noValidate data-testid="password-form">
      {field(ids.old, t('sessions.oldPassword'), oldPassword, setOld, 'current-password', 'password-old')}
      {field(ids.next, t('sessions.newPassword'), newPassword, setNew, 'new-password', 'password-new')}
      {field(ids.again, t('sessions.confirmPassword'), again, setAgain, 'new-password', 'password-again')}
      <span className="field-hint">{t('sessions.passwordHint')}</span>
      {error ? (
        <p className="form-error" role="alert" data-testid="password-error">
          {error}
        </p>
      ) : null}
      {done ? (
        <p className="settings-note" role="status" data-testid="password-done">
          {t('sessions.passwordChanged')}
        </p>
      ) : null}
      <button type="submit" className="button" disabled={busy} data-testid="password-submit">
        {busy ? t('sessions.changing') : t('sessions.changePassword')}
      </button>
    </form>
  );
}
