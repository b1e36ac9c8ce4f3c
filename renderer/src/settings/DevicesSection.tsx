/**
 * The account's signed-in devices with their last-seen time, this one marked; signs out one other device, or
 * every other device, after a confirmation.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeviceView } from '../../../preload/api-types';
import { useModel } from '../app/model-context';
import { ConfirmDialog, type ConfirmRequest } from '../groups/ConfirmDialog';
import { errorText } from '../lib/errors';
import { deviceLabel, formatLastSeen } from './device-label';

/** `reload`: changes when the list is known to have changed elsewhere (a password change signs the others out). */
export function DevicesSection({ reload = 0 }: { reload?: number }) {
  const { t, i18n } = useTranslation();
  const model = useModel();
  const [devices, setDevices] = useState<DeviceView[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);

  const load = useCallback(async () => {
    try {
      setDevices((await model.api.devices.list()).devices);
      setProblem(null);
    } catch (error) {
      setProblem(errorText(error, t));
    }
  }, [model, t]);

  useEffect(() => {
    void load();
  }, [load, reload]);

  const signOutOne = (d: DeviceView) =>
    setConfirm({
      title: t('sessions.confirmDeviceTitle'),
      text: t('sessions.confirmDeviceText', { name: deviceLabel(d) }),
      confirmLabel: t('sessions.signOutDevice'),
      run: async () => {
        try {
          await model.api.devices.revoke({ deviceId: d.deviceId });
          model.pushInfo(t('sessions.deviceSignedOut'));
        } catch (error) {
          model.pushError(error);
        }
        await load();
      },
    });

  const signOutOthers = () =>
    setConfirm({
      title: t('sessions.confirmOthersTitle'),
      text: t('sessions.confirmOthersText'),
      confirmLabel: t('sessions.signOutOthers'),
      run: async () => {
        try {
          const { revoked } = await model.api.devices.revokeOthers();
          model.pushInfo(t('sessions.othersSignedOut', { count: revoked }));
        } catch (error) {
          model.pushError(error);
        }
        await load();
      },
    });

  if (problem) return <p className="settings-note" data-testid="devices-problem">{problem}</p>;
  if (!devices) return <p className="settings-note">{t('sessions.loading')}</p>;
  const others = devices.filter((d) => !d.current);
  return (
    <>
      <ul className="device-list" data-testid="devices-list">
        {devices.map((d) => (
          <li key={d.deviceId} className="device-row" data-testid={`device-${d.deviceId}`}>
            <div className="device-facts">
              <span className="device-name">{deviceLabel(d)}</span>
              <span className="settings-note" data-testid={`device-seen-${d.deviceId}`}>
                {d.current ? t('sessions.thisDevice') : t('sessions.lastSeen', { time: formatLastSeen(d.lastSeen, i18n.language) })}
              </span>
            </div>
            {d.current ? null : (
              <button type="button" className="button button-danger-quiet" onClick={() => signOutOne(d)} aria-label={t('sessions.signOutDeviceLabel', { name: deviceLabel(d) })} data-testid={`device-sign-out-${d.deviceId}`}>
                {t('sessions.signOutDevice')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {others.length > 0 ? (
        <button type="button" className="button button-danger-quiet" onClick={signOutOthers} data-testid="devices-sign-out-others">
          {t('sessions.signOutOthers')}
        </button>
      ) : null}
      {confirm ? <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} /> : null}
    </>
  );
}
