/**
 * Group commit: sends that arrive in the same turn of the event loop, or while the previous commit runs, are
 * stored in one transaction, then each is acknowledged. Nothing is acknowledged before its commit.
 */
import type { AppendItem, AppendOutcome, Storage } from '../storage/storage.js';
import type { Metrics } from '../metrics.js';

interface Pending {
  item: AppendItem;
  resolve: (outcome: AppendOutcome) => void;
}

export class Committer {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    private readonly metrics: Metrics,
    private readonly maxBatch = 1000,
  ) {}

  append(item: AppendItem): Promise<AppendOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ item, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Resolves when everything queued so far is committed (used on shutdown). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.scheduled) {
      this.flush();
      await this.inFlight;
    }
    await this.inFlight;
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    this.inFlight = this.inFlight.then(() => this.commitQueued());
  }

  /**
   * Takes the batch when the previous commit is done, not when it was scheduled: sends arriving while a slow
   * commit runs (PostgreSQL) form the next batch together, instead of many small batches queued behind it.
   */
  private async commitQueued(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    let outcomes: AppendOutcome[];
    try {
      outcomes = await this.storage.appendBatch(batch.map((p) => p.item));
    } catch (error) {
      outcomes = batch.map(() => ({ status: 'failed', error: error as Error }));
    }
    this.metrics.commitBatch.observe(batch.length);
    batch.forEach((p, i) => {
      const outcome = outcomes[i]!;
      if (outcome.status === 'stored') this.metrics.messagesStored.inc();
      p.resolve(outcome);
    });
  }
}
