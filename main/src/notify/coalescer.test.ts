import { describe, expect, it } from 'vitest';
import { createCoalescer, type Burst } from './coalescer.js';
import { fakeClock } from './test-fixtures.js';

function setup(keepItems?: number) {
  const { clock, advance, pending } = fakeClock();
  const flushed: Array<Burst<string>> = [];
  const c = createCoalescer<string>({ windowMs: 1000, clock, keepItems, flush: (b) => flushed.push(b) });
  return { c, advance, flushed, pending };
}

describe('coalescer', () => {
  it('shows the first item at once and a burst as one flush at the end of the window', () => {
    const { c, advance, flushed } = setup();
    c.add('g:a', 'm1');
    expect(flushed).toEqual([{ key: 'g:a', items: ['m1'], total: 1 }]);
    advance(100);
    c.add('g:a', 'm2');
    advance(100);
    c.add('g:a', 'm3');
    expect(flushed).toHaveLength(1);
    advance(800);
    expect(flushed[1]).toEqual({ key: 'g:a', items: ['m2', 'm3'], total: 3 });
  });

  it('gives a steady stream at most one flush per window, counting the whole burst', () => {
    const { c, advance, flushed } = setup();
    for (let i = 0; i < 30; i++) {
      c.add('g:a', `m${i}`);
      advance(100);
    }
    advance(2000);
    expect(flushed.length).toBeLessThanOrEqual(1 + 3 + 1);
    expect(flushed.at(-1)?.total).toBe(30);
  });

  it('starts afresh after a quiet window, and keeps conversations apart', () => {
    const { c, advance, flushed, pending } = setup();
    c.add('g:a', 'a1');
    c.add('g:b', 'b1');
    advance(1000);
    expect(pending()).toBe(0);
    c.add('g:a', 'a2');
    expect(flushed.map((b) => [b.key, b.total])).toEqual([
      ['g:a', 1],
      ['g:b', 1],
      ['g:a', 1],
    ]);
  });

  it('drops what it holds when cleared, and keeps only the latest items', () => {
    const { c, advance, flushed, pending } = setup(2);
    c.add('g:a', 'm1');
    c.add('g:a', 'm2');
    c.clear('g:a');
    advance(5000);
    expect(flushed).toHaveLength(1);
    expect(pending()).toBe(0);
    c.add('g:b', 'x1');
    for (const m of ['x2', 'x3', 'x4']) c.add('g:b', m);
    advance(1000);
    expect(flushed.at(-1)).toEqual({ key: 'g:b', items: ['x3', 'x4'], total: 4 });
    c.dispose();
    expect(pending()).toBe(0);
  });
});
