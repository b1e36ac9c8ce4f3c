/**
 * The connections of this node: who is online on which device, delivery of frames to users through the
 * bus, presence, and ending sessions. In a cluster, the cluster view says who is connected elsewhere: a user
 * comes online when her first connection anywhere opens, and a device connecting here replaces its connection on
 * any node.
 */
import { CloseCode, type EventBodies, type EventName } from '../../../protocol/index.js';
import type { Bus, BusMessage } from '../bus/bus.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Storage } from '../storage/storage.js';
import type { ClusterView, LostNode } from './cluster-view.js';

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

function deviceKey(userId: string, deviceId: string): string {
  return `${userId}\u0000${deviceId}`;
}

export function eventFrame<E extends EventName>(ev: E, body: EventBodies[E]): string {
  return JSON.stringify({ type: 'evt', ev, body });
}

export class Hub {
  private readonly byUser = new Map<string, Set<ClientConnection>>();
  private readonly byDevice = new Map<string, ClientConnection>();
  private readonly byId = new Map<string, ClientConnection>();
  private readonly removedListeners = new Set<(conn: ClientConnection) => void>();
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly storage: Storage,
    private readonly bus: Bus,
    private readonly cluster: ClusterView,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    this.unsubscribe = [
      bus.subscribe((m) => this.onBus(m)),
      bus.onState((state) => {
        // Cut off from the other nodes, this node would miss their events: its clients go elsewhere, or come back
        // here once the bus is up again, and resync from storage either way.
        // Nothing is announced: the other nodes stop hearing this one and settle its users' presence.
        if (state === 'down') this.dropAll(CloseCode.serviceRestart, 'this server lost contact with its cluster; reconnect');
      }),
      cluster.onNodeLost((lost) => this.settleLostNode(lost)),
    ];
  }

  /** The users connected to this node, with their devices (this node's part of its cluster snapshot). */
  localDevices(): [string, string[]][] {
    return [...this.byUser.keys()].map((userId) => [userId, this.devicesOf(userId)]);
  }

  /** Adds an authenticated connection; an older one from the same device, on any node, is closed with 4409. */
  add(conn: ClientConnection): void {
    const older = this.byDevice.get(deviceKey(conn.userId, conn.deviceId));
    if (older && older !== conn) this.replace(older);
    this.byDevice.set(deviceKey(conn.userId, conn.deviceId), conn);
    this.byId.set(conn.id, conn);
    let set = this.byUser.get(conn.userId);
    const cameOnline = (!set || set.size === 0) && !this.cluster.onlineElsewhere(conn.userId);
    if (!set) this.byUser.set(conn.userId, (set = new Set()));
    set.add(conn);
    this.metrics.connections.inc();
    this.cluster.presenceChanged(conn.userId, this.devicesOf(conn.userId));
    this.bus.publish({ type: 'device.connected', node: this.cluster.nodeId, userId: conn.userId, deviceId: conn.deviceId, connectionId: conn.id });
    if (cameOnline) void this.announcePresence(conn.userId, true, Date.now());
  }

  remove(conn: ClientConnection): void {
    if (!this.removeQuietly(conn)) return;
    if (!this.isOnline(conn.userId)) this.wentOffline(conn.userId);
  }

  /** The user has no connection left anywhere: stores lastSeen, then tells who may see it. */
  private wentOffline(userId: string): void {
    const now = Date.now();
    // Announced once stored: a viewer that asks users.get on seeing `offline` reads the lastSeen it was told.
    void this.storage
      .setLastSeen(userId, now)
      .catch((error: unknown) => this.log.warn({ err: error }, 'lastSeen not stored'))
      .then(() => this.announcePresence(userId, false, now))
      .then(() => this.bus.publish({ type: 'node.offline', node: this.cluster.nodeId, userId }));
  }

  private replace(older: ClientConnection): void {
    this.removeQuietly(older);
    older.close(CloseCode.replaced, 'replaced by a newer connection from this device');
  }

  private removeQuietly(conn: ClientConnection): boolean {
    const set = this.byUser.get(conn.userId);
    if (!set || !set.delete(conn)) return false;
    if (set.size === 0) this.byUser.delete(conn.userId);
    const key = deviceKey(conn.userId, conn.deviceId);
    if (this.byDevice.get(key) === conn) this.byDevice.delete(key);
    this.byId.delete(conn.id);
    this.metrics.connections.dec();
    this.cluster.presenceChanged(conn.userId, this.devicesOf(conn.userId));
    for (const listener of this.removedListeners) listener(conn);
    return true;
  }

  private devicesOf(userId: string): string[] {
    return [...(this.byUser.get(userId) ?? [])].map((c) => c.deviceId);
  }

  /** The users of a node that left and are connected nowhere else went offline (announced by one node). */
  private settleLostNode(lost: LostNode): void {
    if (!this.cluster.settlesForCluster()) return;
    for (const userId of lost.users) if (!this.isOnline(userId)) this.wentOffline(userId);
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

  /** Whether this node takes client connections: not while it is cut off from its cluster. */
  get accepting(): boolean {
    return this.bus.state === 'up';
  }

  /** Whether the user has a connection on any node. */
  isOnline(userId: string): boolean {
    return (this.byUser.get(userId)?.size ?? 0) > 0 || this.cluster.onlineElsewhere(userId);
  }

  /** The user's devices connected anywhere, but `deviceId` (for the per-user connection cap). */
  otherDevices(userId: string, deviceId: string): number {
    const here = [...this.connectionsOf(userId)].filter((c) => c.deviceId !== deviceId).length;
    return here + this.cluster.devicesElsewhere(userId).filter((d) => d !== deviceId).length;
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

  /** Closes every connection without announcing anyone offline. */
  private dropAll(code: number, reason: string): void {
    for (const conn of [...this.byDevice.values()]) {
      this.removeQuietly(conn);
      conn.close(code, reason);
    }
  }

  dispose(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
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
    } else if (message.type === 'node.offline') {
      // Published after the offline event, so the viewers get this correction after it.
      if (message.node !== this.cluster.nodeId && this.byUser.has(message.userId)) void this.announcePresence(message.userId, true, Date.now());
    } else if (message.type === 'device.connected') {
      if (message.node === this.cluster.nodeId) return;
      const here = this.byDevice.get(deviceKey(message.userId, message.deviceId));
      if (here && here.id !== message.connectionId) this.replace(here);
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
