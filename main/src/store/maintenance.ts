/**
 * Runs the store's idle-time upkeep (Store.maintain: merging full-text index segments) once writes have settled.
 * Each catch-up batch leaves a new index segment; searches read every segment, so merging them while nothing
 * else happens keeps searches fast. The work goes in small steps with pauses between them, so a search, an IPC
 * call or a sync batch never waits long behind it, and any activity stops it until the next quiet period.
 */

export interface Maintainable {
  /** One bounded step; true when it did work (so another step may have more). */
  maintain(options: { pages?: number }): boolean;
}

/**
 * About 250 KiB written per step. At a million messages on the 2-core benchmark machine a step took 13 ms on
 * average, though the longest took 150–220 ms with the machine's load average at 8 (BENCHMARKS.md).
 */
export const MAINTENANCE_PAGES_PER_STEP = 64;

export interface MaintenanceOptions {
  /** Quiet time after the last activity before upkeep starts. Default 5 s. */
  idleMs?: number;
  /** Pause between two steps. Default 20 ms. */
  stepGapMs?: number;
  /** Index pages one step writes, which bounds how long it blocks. Default MAINTENANCE_PAGES_PER_STEP. */
  pagesPerStep?: number;
  /** Most steps per quiet period; the rest waits for the next one. Default 2000. */
  maxSteps?: number;
  /** Start as if there had just been activity (an index left unmerged by the last session). Default true. */
  runAtStart?: boolean;
  /** A step threw (e.g. the store was closed): upkeep stops; the error is handed here. */
  onError?: (error: unknown) => void;
}

export interface MaintenanceHandle {
  /** Messages were written (or the user is searching): postpone upkeep until things are quiet again. */
  noteActivity(): void;
  /** No more upkeep; safe to call before closing the store. */
  stop(): void;
}

export function scheduleMaintenance(store: Maintainable, options: MaintenanceOptions = {}): MaintenanceHandle {
  const idleMs = options.idleMs ?? 5000;
  const stepGapMs = options.stepGapMs ?? 20;
  const pages = options.pagesPerStep ?? MAINTENANCE_PAGES_PER_STEP;
  const maxSteps = options.maxSteps ?? 2000;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let steps = 0;

  const arm = (delay: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(step, delay);
    // Upkeep alone never keeps the process alive.
    timer.unref();
  };

  function step(): void {
    timer = null;
    if (stopped) return;
    let more: boolean;
    try {
      more = store.maintain({ pages });
    } catch (error) {
      stopped = true;
      options.onError?.(error);
      return;
    }
    steps++;
    if (more && steps < maxSteps) arm(stepGapMs);
  }

  const handle: MaintenanceHandle = {
    noteActivity() {
      if (stopped) return;
      steps = 0;
      arm(idleMs);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
  if (options.runAtStart ?? true) handle.noteActivity();
  return handle;
}
