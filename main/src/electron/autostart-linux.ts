/**
 * "Start at login" on Linux, where Electron's setLoginItemSettings does nothing: an XDG autostart entry,
 * ~/.config/autostart/parley.desktop, started by every freedesktop session (GNOME, KDE, Xfce…).
 */
import fs from 'node:fs';
import path from 'node:path';

export function autostartFile(env: NodeJS.ProcessEnv, home: string): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'autostart', 'parley.desktop');
}

/** The command that starts this copy: the AppImage itself when run from one, else the executable. */
export function autostartCommand(env: NodeJS.ProcessEnv, execPath: string): string {
  const target = env.APPIMAGE || execPath;
  return `"${target.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartEntry(exec: string): string {
  return ['[Desktop Entry]', 'Type=Application', 'Name=Parley', `Exec=${exec} --hidden`, 'Icon=parley', 'Terminal=false', 'X-GNOME-Autostart-enabled=true', ''].join('\n');
}

export function setLinuxAutostart(enabled: boolean, options: { env: NodeJS.ProcessEnv; home: string; execPath: string }): void {
  const file = autostartFile(options.env, options.home);
  if (!enabled) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, autostartEntry(autostartCommand(options.env, options.execPath)));
}
