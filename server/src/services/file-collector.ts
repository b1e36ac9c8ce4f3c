/**
 * Deletes files nobody needs any more: those no entry has named for `fileGraceMs` (never sent, recalled, their
 * chatroom deleted) and those whose uploader's account is gone. Storage marks them collected in one transaction,
 * after which they read as absent and no send can name them; then the blobs are removed, then the rows, so a crash
 * part-way is finished by the next sweep.
 */
import type { ServerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { FileBlobs } from '../storage/file-blobs.js';
import type { Storage } from '../storage/storage.js';

/** Files handled per storage transaction, so a sweep of many files never holds the database for long. */
const BATCH = 500;

export class FileCollector {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly blobs: FileBlobs,
    private readonly metrics: Metrics,
    private readonly config: Pick<ServerConfig, 'fileGraceMs' | 'fileSweepIntervalMs'>,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.log.error({ err }, 'file sweep failed'));
    }, this.config.fileSweepIntervalMs);
    this.timer.unref();
  }

  /** Waits for a sweep under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** Collects what is due now; answers how many files were collected. One sweep at a time. */
  sweep(now = Date.now()): Promise<number> {
    this.running ??= this.collect(now).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async collect(now: number): Promise<number> {
    let collected = 0;
    for (;;) {
      const marked = await this.storage.markCollectable(now - this.config.fileGraceMs, now, BATCH);
      for (const file of marked) {
        this.metrics.filesCollected.inc({ reason: file.reason });
        this.metrics.fileBytes.dec(file.size);
      }
      collected += marked.length;
      if (marked.length < BATCH) break;
    }
    for (;;) {
      const ids = await this.storage.collectedFiles(BATCH);
      for (const fileId of ids) await this.blobs.remove(fileId);
      await this.storage.forgetFiles(ids);
      if (ids.length < BATCH) break;
    }
    if (collected > 0) this.log.info({ collected }, 'files collected');
    return collected;
  }
}
