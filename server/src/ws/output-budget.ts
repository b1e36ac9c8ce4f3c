/**
 * The bound on the server's memory for unsent output, across all connections (docs/protocol.md part 2, "Resource
 * limits"). Each connection's unsent bytes are counted after every write to it and when its socket drains; when the
 * sum passes the limit, the connections holding the most are shed first until it is back under.
 */
import type { Metrics } from '../metrics.js';

export interface Sheddable {
  /** Bytes queued for the socket and not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /** Closes with 1013 (try again later); the socket is destroyed once its grace period is over. */
  shed(reason: string): void;
}

export class OutputBudget {
  /** Unsent bytes of each served connection as last counted. */
  private readonly counted = new Map<Sheddable, number>();
  /** Connections shed or closed whose sockets still hold output until they are destroyed. */
  private readonly releasing = new Set<Sheddable>();
  private total = 0;

  constructor(
    private readonly limit: number,
    private readonly metrics: Metrics,
  ) {
    metrics.unsentBytesOf = () => ({ live: this.recountAll(), releasing: [...this.releasing].reduce((sum, c) => sum + c.bufferedAmount, 0) });
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
    if (conn.bufferedAmount > 0) this.releasing.add(conn);
  }

  gone(conn: Sheddable): void {
    this.remove(conn);
    this.releasing.delete(conn);
  }

  /** Recounts the connection after a write or a drain; past the limit, sheds the connections holding most. */
  update(conn: Sheddable): void {
    if (!this.recount(conn)) return;
    if (this.total > this.limit) this.shed();
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
    if (this.recountAll() <= this.limit) return;
    const largestFirst = [...this.counted].sort((a, b) => b[1] - a[1]);
    for (const [conn] of largestFirst) {
      if (this.total <= this.limit) break;
      this.remove(conn);
      this.metrics.connectionsShed.inc({ reason: 'server-output' });
      conn.shed('server output over its limit; reconnect later');
    }
  }
}
