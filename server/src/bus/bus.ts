import type { RoomLeftReason } from '../../../protocol/index.js';

/**
 * Cross-connection fan-out. In-process by default (LocalBus); the nodes of a cluster share one over NATS
 * (nats-bus.ts) with the same calls, since every message here is plain JSON.
 *
 * A message published on a node reaches that node's handlers at once, in the publishing call, and every other
 * node's handlers once: so each connection, wherever it is, gets each event exactly once.
 */
export type BusMessage =
  /** Deliver an already-serialized frame to every connection of these users, except one connection. */
  | { type: 'deliver'; userIds: readonly string[]; frame: string; exceptConnectionId?: string }
  /** End every session of a user (ban), or only those opened with the named tokens (by hash: logout, revoked devices). */
  | { type: 'revoke'; userId: string; reason: string; tokenHashes?: readonly string[] }
  /** A group's membership or settings changed: every node drops what it cached of it. */
  | { type: 'group.changed'; groupId: string }
  /** A device said hello on `node`: any older connection of it elsewhere is closed with 4409. */
  | { type: 'device.connected'; node: string; userId: string; deviceId: string; connectionId: string }
  /** Chatrooms: a stored entry's frame to fan out to the room's members on every node. */
  | { type: 'room.msg'; roomId: string; frame: string; ts: number; exceptConnectionId?: string }
  | { type: 'room.created'; roomId: string; name: string }
  | { type: 'room.destroyed'; roomId: string; reason: RoomLeftReason }
  /** The user joined another room on another node: its connections here leave `roomId` ("one room at a time"). */
  | { type: 'room.switched'; roomId: string; userId: string }
  | ClusterMessage;

/**
 * What the nodes tell each other of themselves (cluster-view.ts): that they are alive, who is connected to them
 * (by device) and who is in which chatroom there.
 */
export type ClusterMessage =
  | { type: 'node.alive'; node: string }
  /** Everything a node holds; as `node.hello` also a request for everyone else's (a node joining, or back). */
  | ({ type: 'node.hello' | 'node.snapshot'; node: string } & NodeSnapshot)
  /** The devices a user has connected to `node` now (empty: none). */
  | { type: 'node.presence'; node: string; userId: string; devices: readonly string[] }
  /** A user is (or is no longer) in a chatroom on `node`. */
  | { type: 'node.room'; node: string; roomId: string; userId: string; joined: boolean }
  /**
   * `node` has just told the user's viewers she went offline. A node where she is connected after all (the two
   * nodes crossed: one saw her last device leave before hearing of her new one elsewhere) tells them she is online.
   */
  | { type: 'node.offline'; node: string; userId: string }
  /** A node is shutting down: the others forget it now rather than when its heartbeats stop. */
  | { type: 'node.gone'; node: string };

export interface NodeSnapshot {
  /** Devices connected, by user. */
  users: readonly (readonly [string, readonly string[]])[];
  /** Users in each chatroom. */
  rooms: readonly (readonly [string, readonly string[]])[];
}

export type BusState = 'up' | 'down';

export interface Bus {
  publish(message: BusMessage): void;
  subscribe(handler: (message: BusMessage) => void): () => void;
  /**
   * Whether this node hears the others. While `down`, live events from other nodes may be missed, so the node
   * holds no client connections (the hub closes them and the gateway refuses new ones) until it is `up` again.
   */
  readonly state: BusState;
  onState(listener: (state: BusState) => void): () => void;
  close(): Promise<void>;
}

export class LocalBus implements Bus {
  private readonly handlers = new Set<(message: BusMessage) => void>();
  readonly state: BusState = 'up';

  publish(message: BusMessage): void {
    for (const handler of this.handlers) handler(message);
  }

  subscribe(handler: (message: BusMessage) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  onState(): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
