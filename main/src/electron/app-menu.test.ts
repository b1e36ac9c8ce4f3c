import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { appMenuTemplate, type AppMenuOptions } from './app-menu.js';

const build = (over: Partial<AppMenuOptions> = {}) =>
  appMenuTemplate({ platform: 'linux', appName: 'Parley', locale: 'en', dev: false, onCheckForUpdates: () => undefined, ...over });

/** Every item, depth first. */
function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
}
const roles = (template: MenuItemConstructorOptions[]) => items(template).map((i) => i.role).filter(Boolean);

describe('the application menu', () => {
  for (const platform of ['darwin', 'win32', 'linux']) {
    it(`has editing, zoom and window roles on ${platform}`, () => {
      const template = build({ platform });
      expect(roles(template)).toEqual(
        expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen', 'minimize', 'quit']),
      );
      // Ctrl/Cmd with "=" zooms in too, without Shift.
      expect(items(template).find((i) => i.role === 'zoomIn' && i.accelerator === 'CmdOrCtrl+=')).toMatchObject({ visible: false });
      expect(items(template).some((i) => i.id === 'check-for-updates')).toBe(true);
      expect(roles(template)).not.toContain('toggleDevTools');
    });
  }

  it('puts the app menu first on macOS, with about, hide and quit', () => {
    const [first, ...rest] = build({ platform: 'darwin' });
    expect(first!.label).toBe('Parley');
    expect(roles([first!])).toEqual(expect.arrayContaining(['about', 'services', 'hide', 'hideOthers', 'unhide', 'quit']));
    expect(roles(rest)).not.toContain('quit');
    expect(roles(rest)).toContain('pasteAndMatchStyle');
  });

  it('quits from the File menu with Ctrl+Q on Windows and Linux', () => {
    for (const platform of ['win32', 'linux']) {
      const [file] = build({ platform });
      expect(file!.label).toBe('File');
      expect(file!.submenu).toEqual([{ role: 'quit', accelerator: 'CmdOrCtrl+Q' }]);
      expect(roles(build({ platform }))).not.toContain('hide');
    }
  });

  it('has developer tools only in development, and no update item where there are no updates', () => {
    expect(roles(build({ dev: true }))).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
    expect(items(build({ onCheckForUpdates: undefined })).some((i) => i.id === 'check-for-updates')).toBe(false);
  });

  it('speaks Chinese', () => {
    expect(build({ locale: 'zh-CN' }).map((m) => m.label)).toEqual(['文件', '编辑', '视图', '窗口', '帮助']);
  });
});
