/**
 * Where Parley keeps its per-user files, the same places Electron uses for an app named "Parley"
 * (app.getPath('userData') and ('logs')), so the desktop app, host mode and `npm start` share one directory.
 */
import path from 'node:path';

export interface UserDirs {
  /** Session, settings, per-account databases and file caches. */
  userData: string;
  /** The local server `npm start` runs keeps its data here. */
  server: string;
  logs: string;
}

export function userDirs(platform: string, env: NodeJS.ProcessEnv, home: string, override?: string): UserDirs {
  const userData = override ? path.resolve(override) : defaultUserData(platform, env, home);
  const p = platform === 'win32' ? path.win32 : path.posix;
  return {
    userData,
    server: p.join(userData, 'server'),
    logs: platform === 'darwin' && !override ? p.join(home, 'Library', 'Logs', 'Parley') : p.join(userData, 'logs'),
  };
}

function defaultUserData(platform: string, env: NodeJS.ProcessEnv, home: string): string {
  if (platform === 'win32') return path.win32.join(env.APPDATA || path.win32.join(home, 'AppData', 'Roaming'), 'Parley');
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'Parley');
  return path.posix.join(env.XDG_CONFIG_HOME || path.posix.join(home, '.config'), 'Parley');
}
