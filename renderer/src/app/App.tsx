/**
 * The root: i18n and the app model around the screens. Until the session is known a quiet splash shows;
 * signed out, the sign-in screen; signed in, the messenger (or, adding another account, the sign-in screen again). `api` is `window.api` in the app and a fake in
 * tests; the renderer never knows which host provides it.
 */
import { useEffect, useState } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import type { i18n } from 'i18next';
import type { Api } from '../../../preload/api-types';
import { SignIn } from '../auth/SignIn';
import { Toasts } from '../common/Toasts';
import { useStore } from '../lib/store';
import { AppModel } from '../state/app-model';
import { ModelProvider, useModel } from './model-context';
import { Shell } from './Shell';
import { useAppearance } from './use-appearance';

export interface AppProps {
  api: Api | undefined;
  i18n: i18n;
  /** The page's query string, for `?server=` (the app's own location in production). */
  search?: string;
}

export function App({ api, i18n, search }: AppProps) {
  return <I18nextProvider i18n={i18n}>{api ? <WithModel api={api} search={search} /> : <NoHost />}</I18nextProvider>;
}

function WithModel({ api, search }: { api: Api; search: string | undefined }) {
  const [model] = useState(() => new AppModel(api));
  useEffect(() => {
    model.start();
    return () => model.stop();
  }, [model]);
  return (
    <ModelProvider model={model}>
      <Root search={search} />
    </ModelProvider>
  );
}

function Root({ search }: { search: string | undefined }) {
  const model = useModel();
  const session = useStore(model.session);
  const adding = useStore(model.addingAccount);
  const settings = useStore(model.settings);
  const { t, i18n } = useTranslation();
  useAppearance(settings, i18n);

  let screen;
  if (session === null) {
    screen = (
      <div className="splash" role="status" aria-live="polite">
        <span className="brand-mark brand-mark-lg" aria-hidden="true" />
        <span className="visually-hidden">{t('app.loading')}</span>
      </div>
    );
  } else if (session.state === 'signed-in' && adding) {
    // Another account: the same sign-in screen over the app, with a way back to it.
    screen = <SignIn session={{ state: 'signed-out', serverUrl: session.serverUrl }} search={search ?? ''} adding onCancel={() => model.addingAccount.set(false)} />;
  } else if (session.state === 'signed-in') {
    screen = <Shell session={session} />;
  } else {
    screen = <SignIn session={session} search={search ?? ''} />;
  }
  return (
    <>
      {screen}
      <Toasts />
    </>
  );
}

/** window.api is missing: the page was opened outside the app. Nothing works, so say so plainly. */
function NoHost() {
  const { t } = useTranslation();
  return (
    <div className="splash" role="alert">
      <p>{t('errors.UNAVAILABLE')}</p>
    </div>
  );
}
