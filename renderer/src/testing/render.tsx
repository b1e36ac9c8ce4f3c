/**
 * Test helpers (tests only): render a piece of the UI with i18n and an AppModel over the fake api, plus the
 * few browser APIs jsdom lacks.
 */
import { cleanup, render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { I18nextProvider } from 'react-i18next';
import { afterEach } from 'vitest';
import { ModelProvider } from '../app/model-context';
import { createI18n, type UiLanguage } from '../i18n/setup';
import { AppModel } from '../state/app-model';
import { createFakeApi, type FakeApi, type FakeApiOptions } from './fake-api';

afterEach(() => cleanup());

export function installBrowserShims(): void {
  if (typeof window.matchMedia !== 'function') {
    window.matchMedia = ((query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      addListener: () => undefined,
      removeListener: () => undefined,
      dispatchEvent: () => false,
    })) as typeof window.matchMedia;
  }
  if (typeof globalThis.ResizeObserver !== 'function') {
    globalThis.ResizeObserver = class {
      observe() {}
      unobserve() {}
      disconnect() {}
    } as unknown as typeof ResizeObserver;
  }
  if (!Element.prototype.scrollIntoView) Element.prototype.scrollIntoView = () => undefined;
  if (!Element.prototype.scrollTo) Element.prototype.scrollTo = () => undefined;
}

export interface Rendered extends RenderResult {
  fake: FakeApi;
  model: AppModel;
}

export function renderWithModel(ui: ReactElement, options: FakeApiOptions & { language?: UiLanguage; fake?: FakeApi } = {}): Rendered {
  installBrowserShims();
  const fake = options.fake ?? createFakeApi(options);
  const model = new AppModel(fake.api);
  model.start();
  const i18n = createI18n(options.language ?? 'en');
  const result = render(
    <I18nextProvider i18n={i18n}>
      <ModelProvider model={model}>{ui}</ModelProvider>
    </I18nextProvider>,
  );
  return { ...result, fake, model };
}
