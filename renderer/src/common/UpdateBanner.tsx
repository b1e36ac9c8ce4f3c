/** A quiet bar when a downloaded update is ready: "Restart to update". Nothing else about updates interrupts. */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UpdateView } from '../../../preload/api-types';
import { useModel } from '../app/model-context';

export function UpdateBanner() {
  const { t } = useTranslation();
  const model = useModel();
  const [update, setUpdate] = useState<UpdateView | null>(null);

  useEffect(() => {
    let live = true;
    model.api.updates.get().then(
      (u) => live && setUpdate(u),
      () => undefined, // an older host without the updater: no banner
    );
    const off = model.api.on('update:changed', setUpdate);
    return () => {
      live = false;
      off();
    };
  }, [model]);

  if (!update || update.state !== 'ready') return null;
  const restart = async () => {
    try {
      await model.api.updates.restart();
    } catch (error) {
      model.pushError(error, t('desktop.restartFailed'));
    }
  };
  return (
    <div className="update-banner" role="status" data-testid="update-banner">
      <span>{t('desktop.ready', { version: update.version ?? '' })}</span>
      <button type="button" className="button button-primary button-sm" onClick={() => void restart()} data-testid="update-banner-restart">
        {t('desktop.restart')}
      </button>
    </div>
  );
}
