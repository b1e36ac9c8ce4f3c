import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../protocol/index.js';
import { HashingPool } from './hashing-pool.js';

function deferred(): { promise: Promise<string>; resolve: (v: string) => void } {
  let resolve!: (v: string) => void;
  const promise = new Promise<string>((r) => (resolve = r));
  return { promise, resolve };
}

describe('hashing pool', () => {
  it('runs at most `concurrency` tasks, queues at most `queueLimit`, and refuses the rest with RATE_LIMITED', async () => {
    const pool = new HashingPool({ concurrency: 1, queueLimit: 2 });
    const started: string[] = [];
    const gates = { a: deferred(), b: deferred(), c: deferred() };
    const run = (name: keyof typeof gates) =>
      pool.run(() => {
        started.push(name);
        return gates[name].promise;
      });
    const a = run('a');
    const b = run('b');
    const c = run('c');
    await Promise.resolve();
    expect(started).toEqual(['a']);
    const refused = await pool.run(async () => 'd').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProtocolError);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', extra: { retryAfterMs: expect.any(Number) } });
    gates.a.resolve('A');
    expect(await a).toBe('A');
    await Promise.resolve();
    expect(started).toEqual(['a', 'b']);
    gates.b.resolve('B');
    gates.c.resolve('C');
    expect(await Promise.all([b, c])).toEqual(['B', 'C']);
    // Empty again: a task runs at once.
    expect(await pool.run(async () => 'e')).toBe('e');
  });

  it('a call with a share of the queue is refused once that share is waiting, leaving the rest for others', async () => {
    const pool = new HashingPool({ concurrency: 1, queueLimit: 4 });
    const gate = deferred();
    const first = pool.run(() => gate.promise);
    const queued = [pool.run(async () => 'r1', 0.5), pool.run(async () => 'r2', 0.5)];
    await expect(pool.run(async () => 'r3', 0.5)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    const login = pool.run(async () => 'login');
    gate.resolve('done');
    expect(await Promise.all([first, ...queued, login])).toEqual(['done', 'r1', 'r2', 'login']);
  });

  it('a failing task frees its slot', async () => {
    const pool = new HashingPool({ concurrency: 1, queueLimit: 0 });
    await expect(pool.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await pool.run(async () => 'next')).toBe('next');
  });
});
