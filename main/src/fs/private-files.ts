/**
 * What the desktop app keeps on disk (the session, settings, each account's database, outbox copies and file
 * cache, logs) is readable by the user alone: folders 0700, files 0600, on Linux and macOS. Windows keeps its own
 * per-user ACLs on the profile folders; modes mean little there and these calls leave it as it is.
 */
import fs from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the folder (and missing parents) for the user alone, and tightens it if it already existed. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE);
}

/** Tightens an existing file or folder to `mode`; a file that is not there, or a platform without modes, is left. */
export function tighten(file: string, mode = PRIVATE_FILE_MODE): void {
  if (process.platform === 'win32') return;
  try {
    if (((fs.statSync(file).mode & 0o777) | mode) !== mode) fs.chmodSync(file, mode);
  } catch {
    // Not there (yet), or not ours to change: the caller's own write reports real problems.
  }
}
