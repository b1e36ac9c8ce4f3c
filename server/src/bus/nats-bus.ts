/**
 * The bus of a cluster: every node publishes on and subscribes to one NATS subject, `<prefix>.bus`. One subject
 * keeps the order of a node's messages as it published them, for every other node (NATS orders the messages of
 * one publisher's connection), which presence and room membership rely on. The node's own messages are handled
 * in the publishing call and not echoed back, so each node handles each message once.
 *
 * Core NATS is at-most-once: a node that loses its NATS connection, or falls behind far enough that NATS drops
 * messages for it (slow consumer), may have missed events. It reports `down` and the hub ends its client
 * connections, which resync from storage on another node or on this one once it is `up` again.
 */
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';
import type { Bus, BusMessage, BusState } from './bus.js';

/** Deliveries to more users than this are split into several bus messages (NATS refuses payloads over 1 MiB). */
const MAX_USERS_PER_MESSAGE = 5000;

export interface NatsBusOptions {
  /** nats://host:port, several separated by commas. */
  url: string;
  /** The cluster's subject prefix: nodes with the same prefix on one NATS form a cluster. */
  prefix: string;
  /** Shown in NATS's connection list. */
  name: string;
  log: Logger;
}

export class NatsBus implements Bus {
  private readonly handlers = new Set<(message: BusMessage) => void>();
  private readonly stateListeners = new Set<(state: BusState) => void>();
  private readonly subject: string;
  private subscription: Subscription | null = null;
  private current: BusState = 'up';
  private closed = false;

  private constructor(
    private readonly nc: NatsConnection,
    prefix: string,
    private readonly log: Logger,
  ) {
    this.subject = `${prefix}.bus`;
  }

  /** Connects, or throws when NATS does not answer (a node does not start without its cluster). */
  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    const nc = await connect({
      servers: options.url.split(',').map((s) => s.trim()),
      name: options.name,
      noEcho: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      // A NATS that stops answering (rather than closing the socket) is noticed within ~10 s.
      pingInterval: 5_000,
      maxPingOut: 2,
      timeout: 5_000,
    });
    const bus = new NatsBus(nc, options.prefix, options.log);
    bus.subscription = nc.subscribe(bus.subject, { callback: (err, msg) => (err ? bus.log.warn({ err }, 'bus subscription error') : bus.receive(msg.string())) });
    void bus.watch();
    await nc.flush();
    return bus;
  }

  get state(): BusState {
    return this.current;
  }

  publish(message: BusMessage): void {
    const parts =
      message.type === 'deliver' && message.userIds.length > MAX_USERS_PER_MESSAGE
        ? chunk(message.userIds, MAX_USERS_PER_MESSAGE).map((userIds) => ({ ...message, userIds }))
        : [message];
    for (const part of parts) {
      this.dispatch(part);
      if (this.closed) continue;
      try {
        // While reconnecting, the client buffers what is published and sends it once connected again.
        this.nc.publish(this.subject, JSON.stringify(part));
      } catch (error) {
        this.log.warn({ err: error, type: part.type }, 'bus message not published');
      }
    }
  }

  subscribe(handler: (message: BusMessage) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  onState(listener: (state: BusState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.nc.drain();
    } catch {
      await this.nc.close();
    }
    this.handlers.clear();
    this.stateListeners.clear();
  }

  private receive(text: string): void {
    let message: BusMessage;
    try {
      message = JSON.parse(text) as BusMessage;
    } catch (error) {
      this.log.warn({ err: error }, 'unreadable bus message');
      return;
    }
    this.dispatch(message);
  }

  private dispatch(message: BusMessage): void {
    for (const handler of this.handlers) {
      try {
        handler(message);
      } catch (error) {
        this.log.error({ err: error, type: message.type }, 'bus handler failed');
      }
    }
  }

  private async watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (this.closed) return;
      if (status.type === 'disconnect') {
        this.log.warn({ server: status.server }, 'lost NATS: this node closes its client connections until it is back');
        this.setState('down');
      } else if (status.type === 'reconnect') {
        this.log.info({ server: status.server }, 'NATS is back');
        this.setState('up');
      } else if (status.type === 'slowConsumer') {
        // NATS dropped messages for this node: its connections may have missed events. They start over.
        this.log.warn('fell behind the bus and missed messages: closing client connections so they resync');
        this.setState('down');
        this.setState('up');
      }
    }
  }

  private setState(state: BusState): void {
    if (state === this.current && state === 'down') return;
    this.current = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
