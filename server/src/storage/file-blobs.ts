/**
 * Where uploaded files live on disk: `files/<2 chars>/<fileId>` in the data directory, written first under
 * `files/tmp/`. A path is built only from a server-issued id of a restricted alphabet, so no id can name anything
 * outside the store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PRIVATE_DIR_MODE, mkdirPrivate, tightenToPrivate } from './private-files.js';

export class FileBlobs {
  readonly root: string;
  readonly tmp: string;

  /**
   * `shared`: other servers may be writing to the same directory (nodes of a cluster on PostgreSQL, which takes no
   * lock on the data directory), so only uploads left alone for `staleMs` are removed at start, not those another
   * node is receiving now (an upload that sends nothing for PARLEY_UPLOAD_IDLE_TIMEOUT_MS is ended anyway).
   */
  constructor(dataDir: string, options: { shared?: boolean; staleMs?: number } = {}) {
    this.root = path.join(dataDir, 'files');
    this.tmp = path.join(this.root, 'tmp');
    mkdirPrivate(this.tmp);
    tightenToPrivate(this.root);
    tightenToPrivate(this.tmp);
    // Alone in the directory (SQLite locks it), anything left is an upload a crash cut short.
    const before = options.shared ? Date.now() - (options.staleMs ?? 10 * 60_000) : Infinity;
    for (const name of fs.readdirSync(this.tmp)) {
      const p = path.join(this.tmp, name);
      try {
        if (fs.statSync(p).mtimeMs < before) fs.rmSync(p, { force: true, recursive: true });
      } catch (error) {
        // Gone meanwhile: another node finished or removed it.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }

  pathOf(fileId: string): string {
    return path.join(this.root, fileId.slice(0, 2), fileId);
  }

  tmpPathOf(fileId: string): string {
    return path.join(this.tmp, fileId);
  }

  /** Moves a finished upload into the store. */
  async keep(fileId: string): Promise<void> {
    const finalPath = this.pathOf(fileId);
    await fs.promises.mkdir(path.dirname(finalPath), { recursive: true, mode: PRIVATE_DIR_MODE });
    await fs.promises.rename(this.tmpPathOf(fileId), finalPath);
  }

  /** Deletes a stored file; a missing one is not an error. */
  async remove(fileId: string): Promise<void> {
    await fs.promises.rm(this.pathOf(fileId), { force: true });
  }
}
