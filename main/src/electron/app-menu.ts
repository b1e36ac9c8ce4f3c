/**
 * The application menu as a template, pure so each platform's menu is tested without Electron: the roles
 * Electron localizes and wires (edit, zoom, window), macOS's app menu, and "Check for Updates…".
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { Locale } from '../notify/format.js';

export interface AppMenuOptions {
  platform: string;
  appName: string;
  locale: Locale;
  /** Development: reload and developer tools. */
  dev: boolean;
  /** Absent where this copy does not update itself. */
  onCheckForUpdates?: () => void;
}

const LABELS = {
  en: { file: 'File', edit: 'Edit', view: 'View', window: 'Window', help: 'Help', checkForUpdates: 'Check for Updates…', speech: 'Speech' },
  'zh-CN': { file: '文件', edit: '编辑', view: '视图', window: '窗口', help: '帮助', checkForUpdates: '检查更新…', speech: '语音' },
} as const;

const separator: MenuItemConstructorOptions = { type: 'separator' };

export function appMenuTemplate(options: AppMenuOptions): MenuItemConstructorOptions[] {
  const l = LABELS[options.locale];
  const mac = options.platform === 'darwin';
  const updates: MenuItemConstructorOptions[] = options.onCheckForUpdates
    ? [{ label: l.checkForUpdates, click: options.onCheckForUpdates, id: 'check-for-updates' }]
    : [];

  const appMenu: MenuItemConstructorOptions = {
    label: options.appName,
    submenu: [
      { role: 'about' },
      ...(updates.length > 0 ? [separator, ...updates] : []),
      separator,
      { role: 'services' },
      separator,
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      separator,
      { role: 'quit' },
    ],
  };

  const file: MenuItemConstructorOptions = { label: l.file, submenu: mac ? [{ role: 'close' }] : [{ role: 'quit', accelerator: 'CmdOrCtrl+Q' }] };

  const edit: MenuItemConstructorOptions = {
    label: l.edit,
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? ([{ role: 'pasteAndMatchStyle' }] as MenuItemConstructorOptions[]) : []),
      { role: 'delete' },
      separator,
      { role: 'selectAll' },
      ...(mac ? ([separator, { label: l.speech, submenu: [{ role: 'startSpeaking' }, { role: 'stopSpeaking' }] }] as MenuItemConstructorOptions[]) : []),
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: l.view,
    submenu: [
      ...(options.dev ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, separator] as MenuItemConstructorOptions[]) : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      // Ctrl/Cmd and the "=" key (no Shift), as people type "+" on most layouts.
      { role: 'zoomIn', accelerator: 'CmdOrCtrl+=', visible: false, acceleratorWorksWhenHidden: true },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  };

  const window: MenuItemConstructorOptions = {
    label: l.window,
    role: 'window',
    submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, separator, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }],
  };

  const help: MenuItemConstructorOptions = { label: l.help, role: 'help', submenu: mac ? [] : [{ role: 'about' }, ...updates] };

  return mac ? [appMenu, file, edit, view, window, help] : [file, edit, view, window, help];
}
