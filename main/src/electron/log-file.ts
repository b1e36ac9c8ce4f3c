/** The desktop app's log file: <logs>/main.log, kept under a size by moving it to main.1.log at start. */
import fs from 'node:fs';
import path from 'node:path';
import { PRIVATE_FILE_MODE, ensurePrivateDir, tighten } from '../fs/private-files.js';

export const MAX_LOG_BYTES = 5 * 1024 * 1024;

/** Returns the log file to append to; never throws (logging must not stop the app). */
export function prepareLogFile(logsDir: string, maxBytes = MAX_LOG_BYTES): string {
  const file = path.join(logsDir, 'main.log');
  try {
    ensurePrivateDir(logsDir);
    if ((fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0) > maxBytes) fs.renameSync(file, path.join(logsDir, 'main.1.log'));
    // The log is appended to by pino; created here first, for the user alone.
    fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
    tighten(file);
  } catch {
    // An unwritable directory: pino reports it on its stream; the app runs on.
  }
  return file;
}
