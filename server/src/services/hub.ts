/**
 * The connections of this node: who is online on which device, delivery of frames to users through the
 * bus, presence, and ending sessions.
 */
import { CloseCode, type EventBodies, type EventName } from '../../../protocol/index.js';
import type { Bus, BusMessage } from '../bus/bus.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Storage } from '../storage/storage.js';

/**
 * Text frames (UTF-8 JSON) to send together to many connections. `encoded` is the transport's own encoding of
 * them, computed by the first connection that needs it and reused by the rest: server-to-client WebSocket frames
 * are unmasked, so the bytes are the same for every socket.
 */
export interface FrameBatch {
  readonly frames: readonly Buffer[];
  encoded?: Buffer;
}

export interface ClientConnection {
  readonly id: string;
  readonly userId: string;
  readonly deviceId: string;
  /** The hash of the token the connection said hello with ('' for connections not opened by a token). */
  readonly tokenHash: string;
  /** Bytes queued for the socket and not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /** Sends one text frame (a Buffer holds its UTF-8 encoding, so one encoding can serve many connections). */
  sendFrame(frame: string | Buffer): void;
  /** Sends a batch of text frames in one socket write. */
  sendFrames(batch: FrameBatch): void;
  close(code: number, reason: string): void;
}

const EMPTY_SET: ReadonlySet<ClientConnection> = new Set();

/** Above this many recipients a frame is encoded to UTF-8 once, not once per connection. */
const ENCODE_ONCE_FROM = 3;

export function eventFrame<E extends EventName>(ev: E, body: EventBodies[E]): string {
  return JSON.stringify({ type: 'evt', ev, body });
}

export class Hub {
  private readonly byUser = new Map<string, Set<ClientConnection>>();
  private readonly byDevice = new Map<string, ClientConnection>();
  private readonly byId = new Map<string, ClientConnection>();
  private readonly removedListeners = new Set<(conn: ClientConnection) => void>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly storage: Storage,
    private readonly bus: Bus,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    this.unsubscribe = bus.subscribe((m) => this.onBus(m));
  }

  /** Adds an authenticated connection; an older one from the same device is closed with 4409. */
  add(conn: ClientConnection): void {
    const deviceKey = `${conn.userId}\u0000${conn.deviceId}`;
    const older = this.byDevice.get(deviceKey);
    if (older && older !== conn) {
      this.removeQuietly(older);
      older.close(CloseCode.replaced, 'replaced by a newer connection from this device');
    }
    this.byDevice.set(deviceKey, conn);
    this.byId.set(conn.id, conn);
    let set = this.byUser.get(conn.userId);
    const cameOnline = !set || set.size === 0;
    if (!set) this.byUser.set(conn.userId, (set = new Set()));
    set.add(conn);
    this.metrics.connections.inc();
    if (cameOnline) void this.announcePresence(conn.userId, true, Date.now());
  }

  remove(conn: ClientConnection): void {
    if (!this.removeQuietly(conn)) return;
    if (!this.isOnline(conn.userId)) {
      const now = Date.now();
      // Announced once stored: a viewer that asks users.get on seeing `offline` reads the lastSeen it was told.
      void this.storage
        .setLastSeen(conn.userId, now)
        .catch((error: unknown) => this.log.warn({ err: error }, 'lastSeen not stored'))
        .then(() => this.announcePresence(conn.userId, false, now));
    }
  }

  private removeQuietly(conn: ClientConnection): boolean {
    const set = this.byUser.get(conn.userId);
    if (!set || !set.delete(conn)) return false;
    if (set.size === 0) this.byUser.delete(conn.userId);
    const deviceKey = `${conn.userId}\u0000${conn.deviceId}`;
    if (this.byDevice.get(deviceKey) === conn) this.byDevice.delete(deviceKey);
    this.byId.delete(conn.id);
    this.metrics.connections.dec();
    for (const listener of this.removedListeners) listener(conn);
    return true;
  }

  /** Calls `listener` whenever a connection leaves (closed, replaced, revoked); returns the unsubscribe. */
  onRemoved(listener: (conn: ClientConnection) => void): () => void {
    this.removedListeners.add(listener);
    return () => this.removedListeners.delete(listener);
  }

  /** An open connection of this node by its id. */
  connection(id: string): ClientConnection | undefined {
    return this.byId.get(id);
  }

  /** The open connections of a user on this node. */
  connectionsOf(userId: string): ReadonlySet<ClientConnection> {
    return this.byUser.get(userId) ?? EMPTY_SET;
  }

  isOnline(userId: string): boolean {
    return (this.byUser.get(userId)?.size ?? 0) > 0;
  }

  connectionCount(): number {
    return this.byDevice.size;
  }

  /** Delivers an event to every connection of the users (optionally but one). */
  send<E extends EventName>(userIds: readonly string[], ev: E, body: EventBodies[E], exceptConnectionId?: string): void {
    if (userIds.length === 0) return;
    this.bus.publish({ type: 'deliver', userIds, frame: eventFrame(ev, body), exceptConnectionId });
  }

  /** Ends every session of the user: `session.revoked`, then close 4403. */
  revoke(userId: string, reason: string): void {
    this.bus.publish({ type: 'revoke', userId, reason });
  }

  /** Ends the sessions of the user opened with these tokens (by hash), on every node, as `revoke` does. */
  revokeTokens(userId: string, tokenHashes: readonly string[], reason: string): void {
    if (tokenHashes.length === 0) return;
    this.bus.publish({ type: 'revoke', userId, reason, tokenHashes });
  }

  closeAll(code: number, reason: string): void {
    for (const conn of [...this.byDevice.values()]) conn.close(code, reason);
  }

  dispose(): void {
    this.unsubscribe();
  }

  private onBus(message: BusMessage): void {
    if (message.type === 'deliver') {
      // A group's fan-out walks the member list once; a member with no connection here costs one map lookup,
      // and the frame is encoded once for all of them.
      const batch: FrameBatch | null = message.userIds.length >= ENCODE_ONCE_FROM ? { frames: [Buffer.from(message.frame)] } : null;
      for (const userId of message.userIds) {
        const set = this.byUser.get(userId);
        if (!set) continue;
        for (const conn of set) {
          if (conn.id === message.exceptConnectionId) continue;
          if (batch) conn.sendFrames(batch);
          else conn.sendFrame(message.frame);
        }
      }
    } else if (message.type === 'revoke') {
      const set = this.byUser.get(message.userId);
      if (!set) return;
      const frame = eventFrame('session.revoked', { reason: message.reason });
      const only = message.tokenHashes ? new Set(message.tokenHashes) : null;
      for (const conn of [...set]) {
        if (only && !only.has(conn.tokenHash)) continue;
        conn.sendFrame(frame);
        this.remove(conn);
        conn.close(CloseCode.sessionRevoked, message.reason);
      }
    }
  }

  private async announcePresence(userId: string, online: boolean, lastSeen: number): Promise<void> {
    try {
      const viewers = await this.storage.presenceViewers(userId);
      this.send(viewers, 'presence', { userId, online, lastSeen });
    } catch (error) {
      this.log.warn({ err: error, userId }, 'presence not announced');
    }
  }
}
