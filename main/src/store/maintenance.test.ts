import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { scheduleMaintenance, type Maintainable } from './maintenance.js';
import { NOW, entry, tempStore } from './test-support.js';

/** A store whose index needs `work` steps of merging. */
function fakeStore(work: number): Maintainable & { calls: number } {
  const fake = {
    calls: 0,
    maintain() {
      fake.calls++;
      return fake.calls <= work;
    },
  };
  return fake;
}

describe('scheduleMaintenance', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits for a quiet period, then steps until the index has nothing left to merge', () => {
    vi.useFakeTimers();
    const store = fakeStore(3);
    const handle = scheduleMaintenance(store, { idleMs: 1000, stepGapMs: 10 });
    vi.advanceTimersByTime(999);
    expect(store.calls).toBe(0);
    vi.advanceTimersByTime(1);
    expect(store.calls).toBe(1);
    vi.advanceTimersByTime(1000);
    // three steps with work, a fourth that found none
    expect(store.calls).toBe(4);
    handle.stop();
  });

  it('postpones on activity, and activity between steps stops them until the next quiet period', () => {
    vi.useFakeTimers();
    const store = fakeStore(100);
    const handle = scheduleMaintenance(store, { idleMs: 1000, stepGapMs: 10, runAtStart: false });
    vi.advanceTimersByTime(5000);
    expect(store.calls).toBe(0);
    handle.noteActivity();
    vi.advanceTimersByTime(600);
    handle.noteActivity();
    vi.advanceTimersByTime(600);
    expect(store.calls).toBe(0);
    vi.advanceTimersByTime(400 + 20);
    expect(store.calls).toBe(3);
    handle.noteActivity();
    vi.advanceTimersByTime(999);
    expect(store.calls).toBe(3);
    handle.stop();
    vi.advanceTimersByTime(10_000);
    expect(store.calls).toBe(3);
  });

  it('bounds the steps of one quiet period and stops after an error', () => {
    vi.useFakeTimers();
    const store = fakeStore(1000);
    const handle = scheduleMaintenance(store, { idleMs: 0, stepGapMs: 1, maxSteps: 5 });
    vi.advanceTimersByTime(1000);
    expect(store.calls).toBe(5);
    handle.stop();

    const errors: unknown[] = [];
    let calls = 0;
    const broken = scheduleMaintenance({ maintain: () => { calls++; throw new Error('closed'); } }, {
      idleMs: 0, onError: (error) => errors.push(error),
    });
    vi.advanceTimersByTime(10);
    broken.noteActivity();
    vi.advanceTimersByTime(10);
    expect(calls).toBe(1);
    expect(errors).toHaveLength(1);
  });

  it('merges a real store index down to one segment, search unchanged', async () => {
    const t = tempStore();
    try {
      for (let batch = 0; batch < 12; batch++) {
        t.store.applyEntries('g:x', Array.from({ length: 50 }, (_, i) => {
          const seq = batch * 50 + i + 1;
          return entry('g:x', seq, { text: `batch ${batch} 消息 ${seq} 🎉`, ts: NOW - 100_000 + seq });
        }));
      }
      const segments = () => {
        const db = new Database(t.file, { readonly: true });
        // FTS5's structure record (id 10) lists the segments; its size grows with their number.
        const size = (db.prepare(`SELECT length(block) FROM messages_fts_data WHERE id = 10`).pluck().get() as number);
        db.close();
        return size;
      };
      const before = segments();
      const done = new Promise<void>((resolve) => {
        const store = { maintain: (o: { pages?: number }) => {
          const more = t.store.maintain(o);
          if (!more) resolve();
          return more;
        } };
        scheduleMaintenance(store, { idleMs: 0, stepGapMs: 0, pagesPerStep: 2 });
      });
      await done;
      expect(segments()).toBeLessThan(before);
      expect(t.store.search('🎉', { limit: 200 })).toHaveLength(200);
      expect(t.store.search('消息 123').map((h) => h.seq)).toEqual([123]);
    } finally {
      t.cleanup();
    }
  });
});
