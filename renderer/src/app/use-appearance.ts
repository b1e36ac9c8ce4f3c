/**
 * Applies the settings to the document: theme (light, dark, or the system's via prefers-color-scheme),
 * UI language (i18next and <html lang>), and the unread count in the window title.
 */
import { useEffect, useState } from 'react';
import type { i18n } from 'i18next';
import type { Settings } from '../../../preload/api-types';
import { resolveLanguage } from '../i18n/setup';

function systemPrefersDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches;
}

export function useResolvedTheme(theme: Settings['theme']): 'light' | 'dark' {
  const [systemDark, setSystemDark] = useState(systemPrefersDark);
  useEffect(() => {
    if (theme !== 'system' || typeof window.matchMedia !== 'function') return;
    const query = window.matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => setSystemDark(query.matches);
    onChange();
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, [theme]);
  return theme === 'system' ? (systemDark ? 'dark' : 'light') : theme;
}

export function useAppearance(settings: Settings, i18n: i18n): void {
  const theme = useResolvedTheme(settings.theme);
  useEffect(() => {
    const root = document.documentElement;
    root.dataset.theme = theme;
    root.style.colorScheme = theme;
  }, [theme]);

  useEffect(() => {
    const apply = () => {
      const lang = resolveLanguage(settings.language);
      if (i18n.language !== lang) void i18n.changeLanguage(lang);
      document.documentElement.lang = lang;
    };
    apply();
    if (settings.language !== 'system') return;
    window.addEventListener('languagechange', apply);
    return () => window.removeEventListener('languagechange', apply);
  }, [settings.language, i18n]);
}
