/**
 * The updater's life: check at start and every six hours, download in the background, then wait for the user
 * to choose "Restart to update". Failures are quiet (state `error`, logged) and retried with backoff; nothing
 * here throws into the app. Installing waits until no message is in flight. The Electron-specific part, the
 * download and install themselves, is the injected `UpdateEngine` (electron/auto-update.ts).
 */
import type { UpdateChannel, UpdateView } from '../../../preload/contract.js';
import { Backoff } from '../core/backoff.js';
import { IpcError } from '../ipc/errors.js';
import { describeError, silentLogger, type Logger } from '../ipc/logger.js';
import { acceptsVersion, checkForUpdate, type FeedName, type UpdateDecision } from './feed.js';
import { parseVersion } from './version.js';

export const CHECK_INTERVAL_MS = 6 * 3600_000;
/** Let the app start (and connect) before the first check. */
export const FIRST_CHECK_DELAY_MS = 15_000;
export const RETRY = { baseMs: 60_000, capMs: CHECK_INTERVAL_MS };

export interface UpdateEngine {
  /** Downloads and verifies what `feed` offers as `version`; resolves when it can be installed. */
  download(target: { version: string; feed: FeedName }, onProgress: (fraction: number) => void): Promise<void>;
  /** Quits the app and installs the downloaded update. */
  install(): void;
  /** Forgets a downloaded update that no longer fits the channel (it must not install on quit). */
  discard(): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface UpdateServiceOptions {
  currentVersion: string;
  platform: string;
  arch: string;
  /** The update server; null (with `unsupportedReason`) where this copy cannot update itself. */
  feedUrl: string | null;
  engine: UpdateEngine | null;
  unsupportedReason?: string;
  channel: UpdateChannel;
  /** Resolves when no message is in flight (the outbox is idle), before quitting to install. */
  beforeInstall: () => Promise<void>;
  onChange?: (view: UpdateView) => void;
  log?: Logger;
  fetch?: typeof fetch;
  intervalMs?: number;
  firstCheckDelayMs?: number;
  retry?: { baseMs: number; capMs: number; random?: () => number };
  now?: () => number;
  timers?: Timers;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.(); // a pending check never keeps the process alive
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class UpdateService {
  private state: UpdateView['state'] = 'idle';
  private channel: UpdateChannel;
  private version: string | undefined;
  private progress: number | undefined;
  private error: string | undefined;
  private lastCheckedAt: number | undefined;
  private nextCheckAt: number | undefined;
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private installing = false;
  /** The channel changed during a check: look again when it ends. */
  private recheck = false;
  private stopped = true;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private readonly timers: Timers;
  private readonly now: () => number;

  constructor(private readonly options: UpdateServiceOptions) {
    this.channel = options.channel;
    this.log = options.log ?? silentLogger;
    this.timers = options.timers ?? realTimers;
    this.now = options.now ?? Date.now;
    this.backoff = new Backoff(options.retry ?? RETRY);
  }

  get supported(): boolean {
    return this.options.feedUrl !== null && this.options.engine !== null;
  }

  view(): UpdateView {
    const view: UpdateView = { state: this.state, supported: this.supported, channel: this.channel, currentVersion: this.options.currentVersion };
    if (this.version !== undefined) view.version = this.version;
    if (this.progress !== undefined) view.progress = this.progress;
    if (this.error !== undefined) view.error = this.error;
    else if (!this.supported && this.options.unsupportedReason) view.error = this.options.unsupportedReason;
    if (this.lastCheckedAt !== undefined) view.lastCheckedAt = this.lastCheckedAt;
    if (this.nextCheckAt !== undefined) view.nextCheckAt = this.nextCheckAt;
    return view;
  }

  /** Schedules the first check; later ones follow by themselves. */
  start(): void {
    if (!this.supported || !this.stopped) return;
    this.stopped = false;
    this.schedule(this.options.firstCheckDelayMs ?? FIRST_CHECK_DELAY_MS);
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer();
  }

  /** The user chose another channel: a downloaded update that no longer fits is dropped, and we look again. */
  setChannel(channel: UpdateChannel): void {
    if (channel === this.channel) return;
    this.channel = channel;
    const fits = this.version !== undefined && acceptsVersion(channel, parseVersion(this.version)!);
    if (this.state === 'ready' && !fits) {
      this.options.engine?.discard();
      this.set({ state: 'idle', version: undefined, progress: undefined, error: undefined });
    } else {
      this.changed();
    }
    if (this.running) this.recheck = true;
    else if (!this.stopped && this.state !== 'downloading' && this.state !== 'ready') this.schedule(0);
  }

  /** Checks now (unless a check or download is under way, or an update is ready) and returns the state after. */
  async checkNow(): Promise<UpdateView> {
    if (!this.supported) return this.view();
    if (this.running) await this.running;
    else if (this.state !== 'ready' && this.state !== 'downloading') await this.run();
    return this.view();
  }

  /** "Restart to update": waits until nothing is being sent, then quits and installs. */
  async restart(): Promise<void> {
    if (this.state !== 'ready' || !this.options.engine) throw new IpcError('BAD_REQUEST', 'no update is ready to install');
    if (this.installing) return;
    this.installing = true;
    this.stop();
    try {
      await this.options.beforeInstall();
    } catch (error) {
      // Queued messages are in SQLite either way; the wait only spares one in flight a resend.
      this.log.warn({ err: describeError(error) }, 'waiting for the outbox failed; installing anyway');
    }
    this.log.info({ version: this.version }, 'restarting to install the update');
    try {
      this.options.engine.install();
    } catch (error) {
      this.installing = false;
      this.fail(`install failed: ${messageOf(error)}`);
    }
  }

  private schedule(delayMs: number): void {
    this.cancelTimer();
    if (this.stopped) return;
    this.nextCheckAt = this.now() + delayMs;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      void this.run();
    }, delayMs);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.nextCheckAt = undefined;
  }

  private run(): Promise<void> {
    this.running ??= this.check()
      .catch((error: unknown) => {
        // A bug, not a network failure: still never let it reach the app.
        this.log.error({ err: describeError(error) }, 'update check crashed');
        this.fail(messageOf(error));
      })
      .finally(() => {
        this.running = null;
        if (this.recheck) {
          this.recheck = false;
          if (!this.stopped && this.state !== 'downloading' && this.state !== 'ready') this.schedule(0);
        }
      });
    return this.running;
  }

  private async check(): Promise<void> {
    this.cancelTimer();
    this.set({ state: 'checking', error: undefined });
    let decision: UpdateDecision;
    try {
      decision = await checkForUpdate({
        feedUrl: this.options.feedUrl!,
        channel: this.channel,
        currentVersion: this.options.currentVersion,
        platform: this.options.platform,
        arch: this.options.arch,
        fetch: this.options.fetch,
      });
    } catch (error) {
      decision = { kind: 'unreachable', error: messageOf(error) };
    }
    this.lastCheckedAt = this.now();
    switch (decision.kind) {
      case 'current':
        this.backoff.reset();
        this.set({ state: 'idle', version: undefined, progress: undefined });
        this.schedule(this.options.intervalMs ?? CHECK_INTERVAL_MS);
        return;
      case 'malformed':
        this.fail(`the update file is malformed (${decision.error})`);
        return;
      case 'unreachable':
        this.fail(`the update server cannot be reached (${decision.error})`);
        return;
      case 'update':
        await this.download(decision.version, decision.feed);
        return;
    }
  }

  private async download(version: string, feed: FeedName): Promise<void> {
    const channel = this.channel;
    this.log.info({ version, feed }, 'downloading an update');
    this.set({ state: 'downloading', version, progress: 0 });
    try {
      await this.options.engine!.download({ version, feed }, (fraction) => {
        if (this.state === 'downloading' && Number.isFinite(fraction)) this.set({ progress: Math.min(1, Math.max(0, fraction)) });
      });
    } catch (error) {
      this.fail(`the download failed (${messageOf(error)})`);
      return;
    }
    this.backoff.reset();
    if (channel !== this.channel && !acceptsVersion(this.channel, parseVersion(version)!)) {
      // The channel changed while downloading, to one this version is not on.
      this.options.engine!.discard();
      this.set({ state: 'idle', version: undefined, progress: undefined });
      this.schedule(0);
      return;
    }
    this.log.info({ version }, 'update ready');
    this.set({ state: 'ready', progress: undefined });
  }

  private fail(message: string): void {
    const delay = this.backoff.next();
    this.log.warn({ error: message, retryInMs: delay }, 'update check failed');
    this.schedule(delay);
    this.set({ state: 'error', error: message, progress: undefined, version: undefined });
  }

  private set(patch: { state?: UpdateView['state']; version?: string | undefined; progress?: number | undefined; error?: string | undefined }): void {
    if ('state' in patch && patch.state !== undefined) this.state = patch.state;
    if ('version' in patch) this.version = patch.version;
    if ('progress' in patch) this.progress = patch.progress;
    if ('error' in patch) this.error = patch.error;
    this.changed();
  }

  private changed(): void {
    try {
      this.options.onChange?.(this.view());
    } catch (error) {
      this.log.error({ err: describeError(error) }, 'update listener failed');
    }
  }
}
