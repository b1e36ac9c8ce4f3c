/**
 * "Your profile": the photo, display name and status line, and the way to the password and devices, which live in
 * the settings (opened at their section rather than repeated here).
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProfileView, SessionView } from '../../../preload/api-types';
import { MAX_NAME, MAX_STATUS } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { Dialog } from '../common/Dialog';
import { errorText } from '../lib/errors';
import { useStore } from '../lib/store';
import { checkProfileForm, profilePatch } from './profile-form';
import { ProfilePhoto } from './ProfilePhoto';

export type SettingsTarget = 'password' | 'devices';

export interface ProfileDialogProps {
  session: SessionView;
  onClose(): void;
  onOpenSettings(section: SettingsTarget): void;
}

export function ProfileDialog({ session, onClose, onOpenSettings }: ProfileDialogProps) {
  const { t } = useTranslation();
  const model = useModel();
  const loaded = useStore(model.profile);
  const profile: ProfileView = loaded ?? { userId: session.userId ?? '', name: session.name || session.userId || '', status: '' };
  const [name, setName] = useState(profile.name);
  const [status, setStatus] = useState(profile.status);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { name: useId(), status: useId() };

  // The form starts from main's answer when it comes after the dialog opened.
  useEffect(() => {
    void model.loadProfile();
  }, [model]);
  const [seeded, setSeeded] = useState(loaded !== null);
  if (!seeded && loaded) {
    setSeeded(true);
    setName(loaded.name);
    setStatus(loaded.status);
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = checkProfileForm(name, status);
    if (problem) return setError(t(`profile.${problem}`, { max: problem === 'statusTooLong' ? MAX_STATUS : MAX_NAME }));
    const patch = profilePatch(profile, name, status);
    if (!patch) return onClose();
    setBusy(true);
    setError(null);
    try {
      model.profile.set(await model.api.profile.update(patch));
      model.pushInfo(t('profile.saved'));
      onClose();
    } catch (err) {
      setError(`${t('profile.saveFailed')} ${errorText(err, t)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('profile.title')} onClose={onClose} className="profile-dialog" testId="profile-dialog">
      <ProfilePhoto profile={profile} />
      <form className="stack profile-form" onSubmit={(e) => void submit(e)} noValidate data-testid="profile-form">
        <div className="field">
          <label htmlFor={ids.name}>{t('profile.name')}</label>
          <input id={ids.name} className="input" value={name} onChange={(e) => setName(e.target.value)} autoComplete="nickname" data-testid="profile-name" />
          <span className="field-hint">{t('profile.nameHint', { max: MAX_NAME })}</span>
        </div>
        <div className="field">
          <label htmlFor={ids.status}>{t('profile.status')}</label>
          <input id={ids.status} className="input" value={status} placeholder={t('profile.statusPlaceholder')} onChange={(e) => setStatus(e.target.value)} data-testid="profile-status" />
          <span className="field-hint">{t('profile.statusHint', { max: MAX_STATUS })}</span>
        </div>
        <p className="muted profile-user-id">
          {t('profile.userId')}: <span className="mono">{profile.userId}</span>
        </p>
        {error ? (
          <p className="form-error" role="alert" data-testid="profile-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button button-primary" disabled={busy} data-testid="profile-save">
          {busy ? t('profile.saving') : t('profile.save')}
        </button>
      </form>
      <section className="profile-security" aria-label={t('profile.security')}>
        <h3 className="settings-heading">{t('profile.security')}</h3>
        <div className="profile-links">
          <button type="button" className="button" onClick={() => onOpenSettings('password')} data-testid="profile-open-password">
            {t('profile.changePassword')}
          </button>
          <button type="button" className="button" onClick={() => onOpenSettings('devices')} data-testid="profile-open-devices">
            {t('profile.devices')}
          </button>
        </div>
      </section>
    </Dialog>
  );
}
