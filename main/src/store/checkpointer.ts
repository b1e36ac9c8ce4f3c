/**
 * WAL checkpoints off the app's main thread. A checkpoint copies the WAL back into the database file and syncs it;
 * left to SQLite's automatic checkpoint it runs inside whichever commit crosses the threshold, so during a big
 * catch-up a batch that would take a few ms now and then takes hundreds while the window waits. The store's
 * connection therefore never checkpoints (wal_autocheckpoint = 0): a worker thread with a connection of its own
 * runs a PASSIVE checkpoint (it never waits for or blocks a writer) every interval and once more when stopped.
 * The worker is plain JavaScript (eval): it runs the same under tsx, vitest, host mode and Electron, and loads the
 * same better-sqlite3 build as the store (`nativeBinding` for Electron's ABI).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
db.pragma('busy_timeout = 1000');
const tick = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { parentPort.postMessage({ error: String((e && e.message) || e) }); }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') { clearInterval(timer); tick(); db.close(); parentPort.postMessage('stopped'); }
});
`;

export interface CheckpointerOptions {
  /** The database file (already in WAL mode). */
  file: string;
  nativeBinding?: string;
  /** Between two checkpoints. Default 1 s. */
  intervalMs?: number;
  onError?: (message: string) => void;
}

export class Checkpointer {
  private readonly worker: Worker;

  constructor(options: CheckpointerOptions) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: options.file, intervalMs: options.intervalMs ?? 1000, driver, nativeBinding: options.nativeBinding },
    });
    const onError = options.onError ?? (() => undefined);
    this.worker.on('message', (m: unknown) => {
      if (typeof m === 'object' && m !== null && 'error' in m) onError(String((m as { error: unknown }).error));
    });
    this.worker.on('error', (e) => onError(e.message));
    // Checkpoints alone never keep the process alive.
    this.worker.unref();
  }

  /** A last checkpoint, then the worker ends (before the store's connection closes). */
  async stop(): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      this.worker.once('message', () => resolve());
      this.worker.once('exit', () => resolve());
    });
    this.worker.postMessage('stop');
    await Promise.race([stopped, new Promise((r) => setTimeout(r, 2000).unref())]);
    await this.worker.terminate();
  }
}
