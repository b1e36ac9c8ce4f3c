/**
 * One i18next instance per app (tests make their own). Resources are bundled: the renderer loads nothing
 * at run time.
 */
import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Language } from '../../../preload/api-types';
import { en } from './en';
import { zhCN } from './zh-CN';

export type UiLanguage = Exclude<Language, 'system'>;
export const UI_LANGUAGES: readonly UiLanguage[] = ['zh-CN', 'en'];

/** `system` follows the OS language: any Chinese locale gets 简体中文, everything else English. */
export function resolveLanguage(language: Language, systemLanguages: readonly string[] = navigatorLanguages()): UiLanguage {
  if (language !== 'system') return language;
  for (const tag of systemLanguages) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

function navigatorLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

export function createI18n(language: UiLanguage = resolveLanguage('system')): i18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    lng: language,
    fallbackLng: 'en',
    // React escapes what it renders; escaping here too would show "&lt;" in names.
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  return instance;
}
