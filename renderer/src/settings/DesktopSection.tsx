/**
 * Settings of the desktop app itself: start at login, the update channel, and the updater's state with
 * "Check for updates" / "Restart to update". Host mode says it does not update itself.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppInfo, DesktopSettings, UpdateChannel, UpdateView } from '../../../preload/api-types';
import { useModel } from '../app/model-context';

export function UpdateStatus({ update }: { update: UpdateView }) {
  const { t } = useTranslation();
  if (!update.supported) return <p className="settings-note">{t('desktop.unsupported')}</p>;
  const text =
    update.state === 'checking'
      ? t('desktop.checking')
      : update.state === 'downloading'
        ? t('desktop.downloading', { version: update.version ?? '' })
        : update.state === 'ready'
          ? t('desktop.ready', { version: update.version ?? '' })
          : update.state === 'error'
            ? t('desktop.failed')
            : t('desktop.upToDate');
  return (
    <p className="settings-note" role="status" data-testid="update-status" data-state={update.state}>
      {text}
    </p>
  );
}

export function DesktopSection() {
  const { t } = useTranslation();
  const model = useModel();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [desktop, setDesktop] = useState<DesktopSettings | null>(null);
  const [update, setUpdate] = useState<UpdateView | null>(null);

  useEffect(() => {
    let live = true;
    Promise.all([model.api.app.info(), model.api.desktop.get(), model.api.updates.get()]).then(
      ([i, d, u]) => {
        if (!live) return;
        setInfo(i);
        setDesktop(d);
        setUpdate(u);
      },
      (error: unknown) => model.pushError(error),
    );
    const offs = [model.api.on('desktop:changed', setDesktop), model.api.on('update:changed', setUpdate)];
    return () => {
      live = false;
      for (const off of offs) off();
    };
  }, [model]);

  if (!info || !desktop || !update) return null;

  const change = async (patch: Partial<DesktopSettings>) => {
    try {
      setDesktop(await model.api.desktop.set(patch));
    } catch (error) {
      model.pushError(error, t('settings.saveFailed'));
    }
  };
  const act = async (what: 'check' | 'restart') => {
    try {
      if (what === 'check') setUpdate(await model.api.updates.check());
      else await model.api.updates.restart();
    } catch (error) {
      model.pushError(error, what === 'restart' ? t('desktop.restartFailed') : undefined);
    }
  };

  return (
    <>
      {info.openAtLoginSupported ? (
        <label className="switch-row">
          <span>{t('desktop.openAtLogin')}</span>
          <input type="checkbox" role="switch" className="switch" checked={desktop.openAtLogin} onChange={(e) => void change({ openAtLogin: e.target.checked })} data-testid="settings-open-at-login" />
        </label>
      ) : null}
      {update.supported ? (
        <div className="radio-cards" role="radiogroup" aria-label={t('desktop.channel')} data-testid="settings-update-channel">
          {(['stable', 'beta'] as UpdateChannel[]).map((channel) => (
            <label key={channel} className="radio-card">
              <input type="radio" name="update-channel" value={channel} checked={desktop.updateChannel === channel} onChange={() => void change({ updateChannel: channel })} data-testid={`settings-update-channel-${channel}`} />
              <span>{channel === 'stable' ? t('desktop.channelStable') : t('desktop.channelBeta')}</span>
            </label>
          ))}
        </div>
      ) : null}
      <p className="settings-note">{t('desktop.version', { version: info.version })}</p>
      <UpdateStatus update={update} />
      {update.supported ? (
        update.state === 'ready' ? (
          <button type="button" className="button button-primary" onClick={() => void act('restart')} data-testid="update-restart">
            {t('desktop.restart')}
          </button>
        ) : (
          <button type="button" className="button" disabled={update.state === 'checking' || update.state === 'downloading'} onClick={() => void act('check')} data-testid="update-check">
            {t('desktop.check')}
          </button>
        )
      ) : null}
    </>
  );
}
