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

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'files');
    this.tmp = path.join(this.root, 'tmp');
    mkdirPrivate(this.tmp);
    tightenToPrivate(this.root);
    tightenToPrivate(this.tmp);
    // Only this server writes here (the data directory is locked), so anything left is an upload a crash cut short.
    for (const name of fs.readdirSync(this.tmp)) fs.rmSync(path.join(this.tmp, name), { force: true, recursive: true });
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
