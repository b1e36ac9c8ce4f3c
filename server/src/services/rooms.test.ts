/**
 * The chatroom fan-out policy with connections whose backlog the test controls: a slow connection misses
 * batches instead of being closed, batches are in order, and a big room is served across event-loop turns.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../../protocol/index.js';
import { LocalBus } from '../bus/bus.js';
import { resolveConfig, type ServerConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { Metrics } from '../metrics.js';
import { SqliteStorage } from '../storage/sqlite/sqlite-storage.js';
import { ClusterView } from './cluster-view.js';
import { Hub, type ClientConnection, type FrameBatch } from './hub.js';
import { Rooms } from './rooms.js';

class FakeConnection implements ClientConnection {
  readonly frames: string[] = [];
  bufferedAmount = 0;
  writes = 0;
  closed = false;
  constructor(
    readonly id: string,
    readonly userId: string,
    readonly deviceId = 'd',
    readonly tokenHash = '',
  ) {}
  sendFrame(frame: string | Buffer): void {
    this.writes++;
    this.frames.push(frame.toString());
  }
  sendFrames(batch: FrameBatch): void {
    this.writes++;
    for (const f of batch.frames) this.frames.push(f.toString());
  }
  close(): void {
    this.closed = true;
  }
  /** Seqs of the room's `msg` events received. */
  seqs(): number[] {
    return this.frames.map((f) => JSON.parse(f) as { ev: string; body: LogEntry }).filter((f) => f.ev === 'msg').map((f) => f.body.seq);
  }
}

/** Resolves once the event loop has run `turns` more turns (the fan-out's own unit of work), not after a delay. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function entry(roomId: string, seq: number): LogEntry {
  return { convId: `r:${roomId}`, seq, msgId: `m${seq}`, clientMsgId: `c${seq}`, from: 'sender', ts: Date.now(), kind: 'text', body: { text: `#${seq}` } };
}

describe('chatroom fan-out', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function setup(overrides: Partial<ServerConfig> = {}) {
    const config = resolveConfig({ roomFlushMs: 0, roomWritesPerSecond: 1e9, roomSlowBytes: 1000, ...overrides });
    const storage = new SqliteStorage({ file: ':memory:' });
    const metrics = new Metrics();
    const bus = new LocalBus();
    const cluster = new ClusterView(bus);
    const hub = new Hub(storage, bus, cluster, metrics, createLogger('silent'));
    const rooms = new Rooms(storage, hub, bus, cluster, config, metrics, createLogger('silent'));
    await rooms.create('live', 'Live');
    cleanups.push(async () => {
      rooms.dispose();
      hub.dispose();
      await storage.close();
    });
    const connect = async (n: number, prefix = 'u') => {
      const conns = Array.from({ length: n }, (_, i) => new FakeConnection(`${prefix}-conn-${i}`, `${prefix}${i}`));
      for (const c of conns) {
        hub.add(c);
        await rooms.join(c.id, 'live');
      }
      return conns;
    };
    return { rooms, metrics, connect };
  }

  it('skips a connection whose output is backed up, without closing it, and counts what it missed', async () => {
    const { rooms, metrics, connect } = await setup();
    const [fast, slow] = await connect(2);
    slow!.bufferedAmount = 5000;
    rooms.admit('live').settle(entry('live', 1));
    await turns(2);
    expect(fast!.seqs()).toEqual([1]);
    expect(slow!.seqs()).toEqual([]);
    expect(slow!.closed).toBe(false);
    slow!.bufferedAmount = 0;
    rooms.admit('live').settle(entry('live', 2));
    await turns(2);
    expect(slow!.seqs()).toEqual([2]);
    expect(fast!.seqs()).toEqual([1, 2]);
    expect((await metrics.roomDeliveriesSkipped.get()).values[0]!.value).toBe(1);
  });

  it('leaves out the sending connection, and batches what arrives together into one write per connection', async () => {
    const { rooms, connect } = await setup();
    const [sender, other] = await connect(2);
    for (let seq = 1; seq <= 3; seq++) rooms.admit('live').settle(entry('live', seq), sender!.id);
    await turns(2);
    expect(other!.seqs()).toEqual([1, 2, 3]);
    expect(other!.writes).toBe(1);
    expect(sender!.seqs()).toEqual([]);
  });

  it('serves a room larger than one turn’s share over several turns, every member in order', async () => {
    const { rooms, connect } = await setup();
    const conns = await connect(2500);
    rooms.admit('live').settle(entry('live', 1));
    rooms.admit('live').settle(entry('live', 2));
    await turns(1);
    const servedFirst = conns.filter((c) => c.seqs().length > 0).length;
    expect(servedFirst).toBeGreaterThan(0);
    expect(servedFirst).toBeLessThan(2500);
    rooms.admit('live').settle(entry('live', 3)); // queued behind the batch in progress
    await turns(10);
    for (const c of conns) expect(c.seqs()).toEqual([1, 2, 3]);
  });

  it('spaces the batches of a big room so that it causes at most roomWritesPerSecond socket writes', async () => {
    // 2 connections at 1 write a second: batches at least 2 s apart.
    const { rooms, connect } = await setup({ roomWritesPerSecond: 1 });
    const [, b] = await connect(2);
    rooms.admit('live').settle(entry('live', 1));
    await turns(2);
    expect(b!.seqs()).toEqual([1]); // the first after a quiet spell goes at once
    rooms.admit('live').settle(entry('live', 2));
    rooms.admit('live').settle(entry('live', 3));
    await turns(20);
    expect(b!.seqs()).toEqual([1]);
    expect(() => rooms.admit('live').settle(null)).not.toThrow(); // held back, still counted as backlog below the limit
  });

  it('refuses admission while the backlog is full and admits again once it is fanned out', async () => {
    const { rooms, connect } = await setup({ roomMaxPending: 2 });
    await connect(1);
    const first = rooms.admit('live');
    rooms.admit('live');
    expect(() => rooms.admit('live')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    first.settle(null); // nothing stored: it leaves the backlog
    const third = rooms.admit('live');
    third.settle(entry('live', 1));
    await turns(2);
    expect(() => rooms.admit('live')).not.toThrow();
  });
});
