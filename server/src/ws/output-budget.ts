/**
 * The bound on the server's memory for unsent output, across all connections (docs/protocol.md part 2, "Resource
 * limits"). Each connection's unsent bytes are counted after every write to it and when its socket drains; when the
 * sum passes the limit, the connections holding the most are shed first until it is back under. Shed connections keep
 * their sockets for a grace period (to deliver the close frame) only while what they hold stays under a quarter of the
 * limit; past it their sockets go at once, largest first. All unsent output together stays under 1.25 × the limit.
 */
import type { Metrics } from '../metrics.js';

export interface Sheddable {
  /** Bytes queued for the socket and not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /** Closes with 1013 (try again later); the socket is destroyed once its grace period is over. */
  shed(reason: string): void;
  /** Destroys the socket now, with what it holds. */
  terminate(): void;
}

export class OutputBudget {
  /** Unsent bytes of each served connection as last counted. */
  private readonly counted = new Map<Sheddable, number>();
  /** Connections shed or closed whose sockets still hold output until they are destroyed, by what they held then. */
  private readonly releasing = new Map<Sheddable, number>();
  private total = 0;
  /** What the releasing connections held when they stopped being served (they only drain since: an upper bound). */
  private releasingTotal = 0;
  private readonly releasingLimit: number;

  constructor(
    private readonly limit: number,
    private readonly metrics: Metrics,
  ) {
    this.releasingLimit = Math.floor(limit / 4);
    metrics.unsentBytesOf = () => ({ live: this.recountAll(), releasing: [...this.releasing.keys()].reduce((sum, c) => sum + c.bufferedAmount, 0) });
  }

  add(conn: Sheddable): void {
    this.counted.set(conn, 0);
  }

  /** The connection stopped being served: its output is released once its socket is gone (`gone`). */
  remove(conn: Sheddable): void {
    const had = this.counted.get(conn);
    if (had === undefined) return;
    this.total -= had;
    this.counted.delete(conn);
    const left = conn.bufferedAmount;
    if (left > 0) {
      this.releasing.set(conn, left);
      this.releasingTotal += left;
    }
  }

  gone(conn: Sheddable): void {
    this.remove(conn);
    const left = this.releasing.get(conn);
    if (left === undefined) return;
    this.releasing.delete(conn);
    this.releasingTotal -= left;
  }

  /** Recounts the connection after a write or a drain; past the limit, sheds the connections holding most. */
  update(conn: Sheddable): void {
    if (!this.recount(conn)) return;
    if (this.total > this.limit || this.releasingTotal > this.releasingLimit) this.shed();
  }

  /** The served connections' unsent bytes, counted now. */
  recountAll(): number {
    for (const conn of this.counted.keys()) this.recount(conn);
    return this.total;
  }

  private recount(conn: Sheddable): boolean {
    const had = this.counted.get(conn);
    if (had === undefined) return false;
    const now = conn.bufferedAmount;
    this.total += now - had;
    this.counted.set(conn, now);
    return true;
  }

  private shed(): void {
    // Drains between writes are not all reported: count everyone exactly before choosing.
    this.recountAll();
    for (const [conn, had] of this.releasing) {
      const now = conn.bufferedAmount;
      this.releasingTotal += now - had;
      this.releasing.set(conn, now);
    }
    if (this.total > this.limit) {
      const largestFirst = [...this.counted].sort((a, b) => b[1] - a[1]);
      for (const [conn] of largestFirst) {
        if (this.total <= this.limit) break;
        this.remove(conn);
        this.metrics.connectionsShed.inc({ reason: 'server-output' });
        conn.shed('server output over its limit; reconnect later');
      }
    }
    // No room for more grace periods: the shed connections' sockets go now, largest first.
    if (this.releasingTotal > this.releasingLimit) {
      const largestFirst = [...this.releasing].sort((a, b) => b[1] - a[1]);
      for (const [conn] of largestFirst) {
        if (this.releasingTotal <= this.releasingLimit) break;
        this.gone(conn);
        conn.terminate();
      }
    }
  }
}
