/**
 * The data directory holds token hashes, message logs and uploads: the server creates its folders 0700 and its
 * files 0600, whatever the umask, so no other local user can read them. Modes are POSIX-only (win32 ignores them).
 */
import fs from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** mkdir -p whose newly created folders are 0700 (existing folders keep their mode). */
export function mkdirPrivate(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Creates `file` empty and 0600 if it does not exist, and tightens it to 0600 if it does. */
export function ensurePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  tightenToPrivate(file);
}

/** chmod 0600 (0700 for a folder) where the file exists and is looser; ignores a missing file. */
export function tightenToPrivate(file: string): void {
  if (process.platform === 'win32') return;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return;
  }
  const mode = stat.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
  if ((stat.mode & 0o777) !== mode) fs.chmodSync(file, mode);
}
