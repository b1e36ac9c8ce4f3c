/** Prometheus metrics; one registry per server instance so several servers can share a process (tests). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({ name: 'parley_connections', help: 'Authenticated WebSocket connections', registers: [this.registry] });
  readonly requests = new Counter({ name: 'parley_requests_total', help: 'Requests by op', labelNames: ['op'] as const, registers: [this.registry] });
  readonly errors = new Counter({ name: 'parley_errors_total', help: 'Error answers by code', labelNames: ['code'] as const, registers: [this.registry] });
  readonly sendLatency = new Histogram({
    name: 'parley_send_latency_seconds',
    help: 'Time from receiving a send to acknowledging it (after commit)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly messagesStored = new Counter({ name: 'parley_messages_stored_total', help: 'Log entries committed', registers: [this.registry] });
  readonly commitBatch = new Histogram({
    name: 'parley_commit_batch_size',
    help: 'Entries per storage commit',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
    registers: [this.registry],
  });
  readonly roomDeliveriesSkipped = new Counter({
    name: 'parley_room_deliveries_skipped_total',
    help: 'Chatroom messages not delivered live to a connection whose output was backed up',
    registers: [this.registry],
  });
  readonly roomFanout = new Histogram({
    name: 'parley_room_fanout_seconds',
    help: 'Time from storing a chatroom entry until its batch was written to every member connection',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly roomSendsRefused = new Counter({
    name: 'parley_room_sends_refused_total',
    help: 'Chatroom sends refused (RATE_LIMITED, nothing stored) because the room had too much undelivered',
    registers: [this.registry],
  });
  readonly passwordHashes = new Counter({
    name: 'parley_password_hashes_total',
    help: 'Password hash computations by op: hash (register, re-hash), verify (login, unknown ids included), rehash (stored)',
    labelNames: ['op'] as const,
    registers: [this.registry],
  });
  readonly fileBytes = new Gauge({ name: 'parley_files_stored_bytes', help: 'Bytes of uploaded files stored (not collected)', registers: [this.registry] });
  readonly filesCollected = new Counter({
    name: 'parley_files_collected_total',
    help: 'Files deleted by the sweep, by reason (unreferenced: no entry named them for the grace period; uploader-gone: their account was deleted)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly uploadsRefused = new Counter({
    name: 'parley_uploads_refused_total',
    help: 'Uploads refused by a per-user limit (quota, rate, bytes-per-hour) or ended by the idle timeout',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  /** Set by the output budget: the unsent bytes of served connections and of connections closing. */
  unsentBytesOf: (() => { live: number; releasing: number }) | null = null;
  readonly unsentBytes = new Gauge({
    name: 'parley_unsent_bytes',
    help: 'Output queued for clients and not yet handed to the kernel: of served connections (live), of connections being closed (releasing)',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => {
      const counts = this.unsentBytesOf?.() ?? { live: 0, releasing: 0 };
      this.unsentBytes.set({ state: 'live' }, counts.live);
      this.unsentBytes.set({ state: 'releasing' }, counts.releasing);
    },
  });
  readonly connectionsShed = new Counter({
    name: 'parley_connections_shed_total',
    help: 'Connections closed with 1013 for unsent output: the server total over PARLEY_MAX_UNSENT_BYTES, or one connection over its own limit',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly limitRefusals = new Counter({
    name: 'parley_limit_refusals_total',
    help: 'Connections and requests refused by a resource limit: user-connections, ip-connections, or an op group (fetch, signal, change)',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });
  readonly readsPaused = new Counter({
    name: 'parley_reads_paused_total',
    help: 'Times the server stopped reading a connection: requests in flight at the limit, or too much output unsent',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({ name: 'parley_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
  }
}
