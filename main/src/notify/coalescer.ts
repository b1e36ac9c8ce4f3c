/**
 * Turns bursts into few notifications, per key (conversation). The first item shows at once; items arriving
 * within `windowMs` after a flush are held and shown together when the window ends, and a steady stream
 * gives at most one notification per window. `total` counts the whole burst, so the text can say
 * "5 new messages" while only the latest items are kept.
 */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Burst<T> {
  key: string;
  /** Items since the previous flush, oldest first, at most `keepItems`. */
  items: T[];
  /** Items since the burst began. */
  total: number;
}

export interface CoalescerOptions<T> {
  windowMs: number;
  flush(burst: Burst<T>): void;
  clock?: Clock;
  keepItems?: number;
}

export interface Coalescer<T> {
  add(key: string, item: T): void;
  /** Ends the burst of `key` without flushing what it holds (the user is looking at it now). */
  clear(key: string): void;
  dispose(): void;
}

interface State<T> {
  held: T[];
  total: number;
  timer: unknown;
}

export function createCoalescer<T>(options: CoalescerOptions<T>): Coalescer<T> {
  const clock = options.clock ?? systemClock;
  const keep = Math.max(1, options.keepItems ?? 20);
  const states = new Map<string, State<T>>();

  const openWindow = (key: string, state: State<T>) => {
    state.timer = clock.setTimeout(() => {
      if (state.held.length === 0) {
        states.delete(key);
        return;
      }
      const items = state.held;
      state.held = [];
      openWindow(key, state);
      options.flush({ key, items, total: state.total });
    }, options.windowMs);
  };

  return {
    add(key, item) {
      const state = states.get(key);
      if (state) {
        state.total += 1;
        state.held.push(item);
        if (state.held.length > keep) state.held.shift();
        return;
      }
      const fresh: State<T> = { held: [], total: 1, timer: undefined };
      states.set(key, fresh);
      openWindow(key, fresh);
      options.flush({ key, items: [item], total: 1 });
    },
    clear(key) {
      const state = states.get(key);
      if (!state) return;
      clock.clearTimeout(state.timer);
      states.delete(key);
    },
    dispose() {
      for (const state of states.values()) clock.clearTimeout(state.timer);
      states.clear();
    },
  };
}
