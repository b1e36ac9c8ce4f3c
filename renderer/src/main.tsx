/** The renderer's entry: `window.api` (installed by preload or the host bridge) is all it talks to. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { createI18n } from './i18n/setup';
import './styles/index.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App api={window.api as typeof window.api | undefined} i18n={createI18n()} search={location.search} />
    </StrictMode>,
  );
}
