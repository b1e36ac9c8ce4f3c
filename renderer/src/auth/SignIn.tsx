/**
 * First run: the server's address, then sign in or create an account. The address is prefilled from
 * `?server=` in the page URL, else the last one used (session.get), else the local default. With `adding`, the
 * same form adds another account to a signed-in app (it becomes the active one), and Cancel goes back.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Language, SessionView } from '../../../preload/api-types';
import { isInviteCode, isValidId } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { errorText } from '../lib/errors';
import { useStore } from '../lib/store';
import { CleartextConfirm, CleartextWarning, useCleartextConsent } from './cleartext-consent';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';
const SERVER_RE = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;

function fromQuery(search: string): string | null {
  const value = new URLSearchParams(search).get('server')?.trim();
  return value && SERVER_RE.test(value) ? value : null;
}

/** The address as it is used: trimmed, no trailing slash. */
function serverUrlOf(text: string): string {
  return text.trim().replace(/\/+$/, '');
}

/** `?server=` in the page URL, else the last server used, else the local default. */
export function initialServer(search: string, session: SessionView): string {
  return fromQuery(search) ?? (session.serverUrl || DEFAULT_SERVER);
}

type Mode = 'signIn' | 'register';

export interface SignInProps {
  session: SessionView;
  search: string;
  /** Adding another account while signed in: a title that says so, and a way back. */
  adding?: boolean;
  onCancel?: () => void;
}

export function SignIn({ session, search, adding = false, onCancel }: SignInProps) {
  const { t } = useTranslation();
  const model = useModel();
  const settings = useStore(model.settings);
  const [mode, setMode] = useState<Mode>('signIn');
  const [server, setServer] = useState(() => initialServer(search, session));
  const serverEdited = useRef(false);

  // Without a URL parameter or a remembered server, the app may know one (the local server `npm start` runs).
  useEffect(() => {
    if (fromQuery(search) || session.serverUrl) return;
    let live = true;
    model.api.app.info().then(
      (info) => {
        if (live && !serverEdited.current && info.defaultServerUrl && SERVER_RE.test(info.defaultServerUrl)) setServer(info.defaultServerUrl);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [model, search, session.serverUrl]);
  // Adding an account: Escape goes back to the app, as Cancel does.
  useEffect(() => {
    if (!adding || !onCancel) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) onCancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [adding, onCancel]);
  const [userId, setUserId] = useState(session.userId ?? '');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [inviteCode, setInviteCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { server: useId(), user: useId(), name: useId(), password: useId(), invite: useId(), error: useId() };
  const consent = useCleartextConsent(server);
  const form = useRef<HTMLFormElement>(null);

  const validate = (): string | null => {
    if (!SERVER_RE.test(server.trim())) return t('auth.invalidServer');
    if (!isValidId(userId.trim())) return t('auth.invalidUserId');
    if (mode === 'register' && !name.trim()) return t('auth.nameRequired');
    if (mode === 'register' && password.length < 8) return t('auth.passwordTooShort');
    if (password.length === 0) return t('auth.passwordTooShort');
    if (mode === 'register' && inviteCode.trim() && !isInviteCode(inviteCode.trim())) return t('auth.invalidInviteCode');
    return null;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const invalid = validate();
    setError(invalid);
    if (invalid) return;
    const serverUrl = serverUrlOf(server);
    if (!consent.mayProceed(serverUrl)) return;
    setBusy(true);
    try {
      const next =
        mode === 'register'
          ? await model.api.auth.register({ serverUrl, userId: userId.trim(), password, name: name.trim(), ...(inviteCode.trim() ? { inviteCode: inviteCode.trim() } : {}) })
          : await model.api.auth.login({ serverUrl, userId: userId.trim(), password });
      setPassword('');
      // session:changed follows too; applying the answer now avoids a frame of the old screen.
      if (next?.state === 'signed-in') {
        model.addingAccount.set(false);
        model.applySession(next);
      }
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  const setLanguage = (language: Language) => {
    model.settings.set({ ...settings, language });
    model.api.settings.set({ language }).catch(() => undefined);
  };

  return (
    <main className="auth-screen">
      <div className="auth-language">
        <label className="visually-hidden" htmlFor="auth-language">
          {t('settings.language')}
        </label>
        <select
          id="auth-language"
          className="select select-quiet"
          value={settings.language}
          onChange={(e) => setLanguage(e.target.value as Language)}
          data-testid="auth-language"
        >
          <option value="system">{t('settings.languageSystem')}</option>
          <option value="zh-CN">{t('languageNames.zh-CN')}</option>
          <option value="en">{t('languageNames.en')}</option>
        </select>
      </div>
      <form ref={form} className="auth-card" onSubmit={submit} noValidate aria-describedby={error ? ids.error : undefined}>
        <div className="auth-brand">
          <span className="brand-mark" aria-hidden="true" />
          <h1>{adding ? t('accounts.addTitle') : t('auth.welcome')}</h1>
          <p className="muted">{adding ? t('accounts.addSubtitle') : t('auth.subtitle')}</p>
        </div>

        <div className="segmented" role="group" aria-label={t('auth.modeLabel')}>
          <button type="button" aria-pressed={mode === 'signIn'} onClick={() => setMode('signIn')} data-testid="auth-mode-signin">
            {t('auth.signIn')}
          </button>
          <button type="button" aria-pressed={mode === 'register'} onClick={() => setMode('register')} data-testid="auth-mode-register">
            {t('auth.register')}
          </button>
        </div>

        <div className="field">
          <label htmlFor={ids.server}>{t('auth.server')}</label>
          <input
            id={ids.server}
            className="input"
            type="url"
            inputMode="url"
            autoComplete="url"
            spellCheck={false}
            value={server}
            onChange={(e) => {
              serverEdited.current = true;
              setServer(e.target.value);
            }}
            data-testid="auth-server"
          />
          <span className="field-hint">{t('auth.serverHint')}</span>
          {consent.cleartext ? <CleartextWarning /> : null}
        </div>
        <div className="field">
          <label htmlFor={ids.user}>{t('auth.userId')}</label>
          <input
            id={ids.user}
            className="input"
            autoComplete="username"
            autoCapitalize="off"
            spellCheck={false}
            value={userId}
            onChange={(e) => setUserId(e.target.value)}
            data-testid="auth-user"
            autoFocus
          />
          {mode === 'register' ? <span className="field-hint">{t('auth.userIdHint')}</span> : null}
        </div>
        {mode === 'register' ? (
          <div className="field">
            <label htmlFor={ids.name}>{t('auth.name')}</label>
            <input id={ids.name} className="input" autoComplete="nickname" value={name} onChange={(e) => setName(e.target.value)} data-testid="auth-name" />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={ids.password}>{t('auth.password')}</label>
          <input
            id={ids.password}
            className="input"
            type="password"
            autoComplete={mode === 'register' ? 'new-password' : 'current-password'}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="auth-password"
          />
          {mode === 'register' ? <span className="field-hint">{t('auth.passwordHint')}</span> : null}
        </div>
        {mode === 'register' ? (
          <div className="field">
            <label htmlFor={ids.invite}>{t('auth.inviteCode')}</label>
            <input
              id={ids.invite}
              className="input"
              autoComplete="off"
              spellCheck={false}
              value={inviteCode}
              onChange={(e) => setInviteCode(e.target.value)}
              data-testid="auth-invite"
            />
            <span className="field-hint">{t('auth.inviteCodeHint')}</span>
          </div>
        ) : null}

        {error ? (
          <p id={ids.error} className="form-error" role="alert" data-testid="auth-error">
            {error}
          </p>
        ) : null}

        {consent.asking ? (
          <CleartextConfirm
            onContinue={() => {
              consent.accept(serverUrlOf(server));
              form.current?.requestSubmit();
            }}
            onCancel={consent.cancel}
          />
        ) : null}

        <button type="submit" className="button button-primary button-block" disabled={busy || consent.asking} data-testid="auth-submit">
          {busy ? t('auth.working') : mode === 'register' ? t('auth.submitRegister') : t('auth.submitSignIn')}
        </button>
        {adding && onCancel ? (
          <button type="button" className="button button-block" onClick={onCancel} data-testid="auth-cancel">
            {t('accounts.cancelAdd')}
          </button>
        ) : null}
      </form>
    </main>
  );
}
