import { describe, expect, it } from 'vitest';
import { Metrics } from '../metrics.js';
import { OutputBudget, type Sheddable } from './output-budget.js';

class FakeConn implements Sheddable {
  shedReason: string | null = null;
  constructor(public bufferedAmount: number) {}
  shed(reason: string): void {
    this.shedReason = reason;
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
