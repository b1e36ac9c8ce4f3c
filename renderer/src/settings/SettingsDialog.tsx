/**
 * Settings: language, theme, notifications, account, its devices and password. Each change applies at once (optimistically) and is
 * stored through settings.set; settings:changed from main has the last word.
 */
import { useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Language, NotificationSettings, SessionView, Settings, Theme } from '../../../preload/api-types';
import { useModel } from '../app/model-context';
import { Avatar } from '../common/Avatar';
import { Dialog } from '../common/Dialog';
import { Icon } from '../common/Icon';
import { useStore } from '../lib/store';
import { DesktopSection } from './DesktopSection';
import { DevicesSection } from './DevicesSection';
import { PasswordSection } from './PasswordSection';

type Patch = { language?: Language; theme?: Theme; notifications?: Partial<NotificationSettings> };

export function SettingsDialog({ session, onClose }: { session: SessionView; onClose: () => void }) {
  const { t } = useTranslation();
  const model = useModel();
  const settings = useStore(model.settings);
  const [devicesChanged, setDevicesChanged] = useState(0);

  const update = async (patch: Patch) => {
    const before = model.settings.get();
    const next: Settings = { ...before, ...patch, notifications: { ...before.notifications, ...patch.notifications } } as Settings;
    model.settings.set(next);
    try {
      model.settings.set(await model.api.settings.set(patch));
    } catch (error) {
      model.settings.set(before);
      model.pushError(error, t('settings.saveFailed'));
    }
  };

  const signOut = async () => {
    try {
      await model.api.auth.logout();
      onClose();
      // Only this account is signed out: another one may be active now, which main says.
      const next = await model.api.session.get().catch(() => null);
      model.applySession(
        next ?? { state: 'signed-out', ...(session.serverUrl ? { serverUrl: session.serverUrl } : {}), ...(session.userId ? { userId: session.userId } : {}) },
      );
    } catch (error) {
      model.pushError(error);
    }
  };

  return (
    <Dialog title={t('settings.title')} onClose={onClose} className="settings-dialog" testId="settings-dialog">
      <Section title={t('settings.language')}>
        <RadioGroup<Language>
          name="language"
          value={settings.language}
          onChange={(language) => void update({ language })}
          options={[
            { value: 'zh-CN', label: t('languageNames.zh-CN'), lang: 'zh-CN' },
            { value: 'en', label: t('languageNames.en'), lang: 'en' },
            { value: 'system', label: t('settings.languageSystem') },
          ]}
          testId="settings-language"
        />
      </Section>
      <Section title={t('settings.theme')}>
        <RadioGroup<Theme>
          name="theme"
          value={settings.theme}
          onChange={(theme) => void update({ theme })}
          options={[
            { value: 'light', label: t('settings.themeLight') },
            { value: 'dark', label: t('settings.themeDark') },
            { value: 'system', label: t('settings.themeSystem') },
          ]}
          testId="settings-theme"
        />
      </Section>
      <Section title={t('settings.notifications')}>
        <Toggle label={t('settings.notificationsEnabled')} checked={settings.notifications.enabled} onChange={(enabled) => void update({ notifications: { enabled } })} testId="settings-notifications-enabled" />
        <Toggle label={t('settings.notificationsSound')} checked={settings.notifications.sound} disabled={!settings.notifications.enabled} onChange={(sound) => void update({ notifications: { sound } })} testId="settings-notifications-sound" />
        <Toggle label={t('settings.notificationsPreview')} checked={settings.notifications.preview} disabled={!settings.notifications.enabled} onChange={(preview) => void update({ notifications: { preview } })} testId="settings-notifications-preview" />
      </Section>
      <Section title={t('desktop.section')}>
        <DesktopSection />
      </Section>
      <Section title={t('settings.account')}>
        <div className="account-card">
          <Avatar id={session.userId ?? ''} name={session.name || session.userId || ''} size="lg" />
          <dl className="account-facts">
            {session.name ? <dd className="account-name">{session.name}</dd> : null}
            <dt>{t('settings.userId')}</dt>
            <dd className="mono" data-testid="settings-user-id">
              {session.userId}
            </dd>
            <dt>{t('settings.server')}</dt>
            <dd className="mono" data-testid="settings-server">
              {session.serverUrl}
            </dd>
          </dl>
        </div>
        <button type="button" className="button button-danger-quiet" onClick={() => void signOut()} data-testid="settings-sign-out">
          <Icon name="logout" size={18} />
          {t('settings.signOut')}
        </button>
      </Section>
      <Section title={t('sessions.devices')}>
        <DevicesSection reload={devicesChanged} />
      </Section>
      <Section title={t('sessions.password')}>
        <PasswordSection onChanged={() => setDevicesChanged((n) => n + 1)} />
      </Section>
    </Dialog>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="settings-section" aria-labelledby={id}>
      <h3 id={id} className="settings-heading">
        {title}
      </h3>
      {children}
    </section>
  );
}

function RadioGroup<V extends string>({ name, value, options, onChange, testId }: { name: string; value: V; options: Array<{ value: V; label: string; lang?: string }>; onChange: (v: V) => void; testId: string }) {
  return (
    <div className="radio-cards" role="radiogroup" data-testid={testId}>
      {options.map((o) => (
        <label key={o.value} className="radio-card" lang={o.lang}>
          <input type="radio" name={name} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} data-testid={`${testId}-${o.value}`} />
          <span>{o.label}</span>
        </label>
      ))}
    </div>
  );
}

function Toggle({ label, checked, disabled, onChange, testId }: { label: string; checked: boolean; disabled?: boolean; onChange: (v: boolean) => void; testId: string }) {
  return (
    <label className={`switch-row${disabled ? ' is-disabled' : ''}`}>
      <span>{label}</span>
      <input type="checkbox" role="switch" className="switch" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
    </label>
  );
}
