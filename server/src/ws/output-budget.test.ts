import { describe, expect, it } from 'vitest';
import { Metrics } from '../metrics.js';
import { OutputBudget, type Sheddable } from './output-budget.js';

class FakeConn implements Sheddable {
  shedReason: string | null = null;
  constructor(public bufferedAmount: number) {}
  terminated = false;
  shed(reason: string): void {
    this.shedReason = reason;
  }
  terminate(): void {
    this.terminated = true;
    this.bufferedAmount = 0;
  }
}

describe('OutputBudget', () => {
  it('sheds the connections holding the most unsent output first, only as many as brings the total under the limit', () => {
    const metrics = new Metrics();
    const budget = new OutputBudget(100, metrics);
    const conns = [new FakeConn(0), new FakeConn(0), new FakeConn(0), new FakeConn(0)];
    for (const c of conns) budget.add(c);
    const [a, b, c, d] = conns as [FakeConn, FakeConn, FakeConn, FakeConn];
    a.bufferedAmount = 30;
    budget.update(a);
    b.bufferedAmount = 50;
    budget.update(b);
    c.bufferedAmount = 15;
    budget.update(c);
    expect(conns.some((x) => x.shedReason)).toBe(false);
    // 30 + 50 + 15 + 40 = 135 > 100: shedding b (50) is enough.
    d.bufferedAmount = 40;
    budget.update(d);
    expect(conns.map((x) => x.shedReason !== null)).toEqual([false, true, false, false]);
    expect(budget.recountAll()).toBe(85);
  });

  it('lets shed connections keep their sockets while they hold under a quarter of the limit, then ends the largest', () => {
    const budget = new OutputBudget(100, new Metrics());
    const [a, b, c, d] = [new FakeConn(0), new FakeConn(0), new FakeConn(0), new FakeConn(0)];
    for (const x of [a, b, c, d]) budget.add(x);
    for (const [x, n] of [[a, 80], [b, 20]] as const) {
      x.bufferedAmount = n;
      budget.update(x);
    }
    expect([a.shedReason, b.shedReason]).toEqual([null, null]);
    c.bufferedAmount = 20; // 120: a (80) is shed; 80 is more than 25 releasing, so its socket goes now
    budget.update(c);
    expect([a.shedReason !== null, a.terminated]).toEqual([true, true]);
    d.bufferedAmount = 70; // 110: d (70) is shed and goes at once too; b and c stay
    budget.update(d);
    expect([d.shedReason !== null, d.terminated, b.shedReason, c.shedReason]).toEqual([true, true, null, null]);
    b.bufferedAmount = 85; // 105: b (85) is shed
    budget.update(b);
    expect(b.terminated).toBe(true);
    expect([c.shedReason, c.terminated]).toEqual([null, false]);
  });

  it('gives a shed connection that holds little its grace period', () => {
    const budget = new OutputBudget(100, new Metrics());
    const conns = Array.from({ length: 5 }, () => new FakeConn(0));
    for (const x of conns) budget.add(x);
    for (const x of conns) {
      x.bufferedAmount = 21;
      budget.update(x);
    }
    // 105: one connection (21, under a quarter of the limit) is shed and keeps its socket to deliver the 1013.
    expect(conns.filter((x) => x.shedReason !== null)).toHaveLength(1);
    expect(conns.some((x) => x.terminated)).toBe(false);
  });

  it('counts drains it was not told about before choosing whom to shed', () => {
    const budget = new OutputBudget(100, new Metrics());
    const a = new FakeConn(0);
    const b = new FakeConn(0);
    budget.add(a);
    budget.add(b);
    a.bufferedAmount = 90;
    budget.update(a);
    a.bufferedAmount = 0; // drained without a write
    b.bufferedAmount = 60;
    budget.update(b);
    expect([a.shedReason, b.shedReason]).toEqual([null, null]);
  });
});
