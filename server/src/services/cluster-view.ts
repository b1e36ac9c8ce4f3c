/**
 * What this node knows of the other nodes of its cluster, learnt over the bus: which are alive, which devices of
 * which users are connected to each, and who is in which chatroom there. The hub and the rooms answer
 * cluster-wide questions from it ("is she online anywhere?", "how many are in this room?") without a round trip.
 *
 * Each node tells the others its changes as they happen, a snapshot when a node (re)joins, and a heartbeat every
 * second. A node not heard from for five seconds (killed, cut off from NATS) is forgotten, and the users it held
 * go offline unless they are connected elsewhere. With the in-process bus there are no other nodes, and every
 * answer is about this node alone.
 */
import { randomUUID } from 'node:crypto';
import type { Bus, BusMessage, BusState, ClusterMessage } from '../bus/bus.js';

export const HEARTBEAT_MS = 1000;
export const NODE_DEAD_AFTER_MS = 5000;

interface NodeState {
  lastHeard: number;
  /** Devices connected to the node, by user. */
  users: Map<string, readonly string[]>;
  /** Users in each chatroom on the node. */
  rooms: Map<string, Set<string>>;
}

/** This node's side of a snapshot, from the hub and the rooms. */
export interface LocalState {
  users(): Iterable<readonly [string, readonly string[]]>;
  rooms(): Iterable<readonly [string, readonly string[]]>;
}

/** A node that left: the users and room memberships it held, for the hub and the rooms to settle. */
export interface LostNode {
  node: string;
  users: readonly string[];
  rooms: ReadonlyMap<string, ReadonlySet<string>>;
}

export class ClusterView {
  readonly nodeId = randomUUID();
  private readonly nodes = new Map<string, NodeState>();
  private readonly lostListeners = new Set<(lost: LostNode) => void>();
  private readonly unsubscribe: () => void;
  private readonly unwatch: () => void;
  private readonly timer: NodeJS.Timeout;
  private local: LocalState = { users: () => [], rooms: () => [] };

  constructor(private readonly bus: Bus) {
    this.unsubscribe = bus.subscribe((m) => this.onBus(m));
    this.unwatch = bus.onState((s) => this.onBusState(s));
    this.timer = setInterval(() => this.tick(), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Starts answering snapshots from `local` and asks the other nodes for theirs. */
  start(local: LocalState): void {
    this.local = local;
    this.sendSnapshot('node.hello');
  }

  /** Calls `listener` when another node is forgotten (after its announced departure or missed heartbeats). */
  onNodeLost(listener: (lost: LostNode) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** The devices of the user connected to other nodes. */
  devicesElsewhere(userId: string): string[] {
    const devices: string[] = [];
    for (const state of this.nodes.values()) devices.push(...(state.users.get(userId) ?? []));
    return devices;
  }

  onlineElsewhere(userId: string): boolean {
    for (const state of this.nodes.values()) if (state.users.has(userId)) return true;
    return false;
  }

  /** Users in the chatroom on other nodes. */
  roomUsersElsewhere(roomId: string): Set<string> {
    const users = new Set<string>();
    for (const state of this.nodes.values()) for (const u of state.rooms.get(roomId) ?? []) users.add(u);
    return users;
  }

  /** Chatrooms the user is in on other nodes. */
  roomsElsewhere(userId: string): Set<string> {
    const rooms = new Set<string>();
    for (const state of this.nodes.values()) for (const [roomId, users] of state.rooms) if (users.has(userId)) rooms.add(roomId);
    return rooms;
  }

  /**
   * Whether this node settles what a lost node leaves behind (offline announcements): the live node with the
   * smallest id, so that one node does it, not all of them.
   */
  settlesForCluster(): boolean {
    for (const node of this.nodes.keys()) if (node < this.nodeId) return false;
    return true;
  }

  /** The devices of a user on this node changed. */
  presenceChanged(userId: string, devices: readonly string[]): void {
    this.publish({ type: 'node.presence', node: this.nodeId, userId, devices });
  }

  /** A user joined or left a chatroom on this node (first connection in, last connection out). */
  roomChanged(roomId: string, userId: string, joined: boolean): void {
    this.publish({ type: 'node.room', node: this.nodeId, roomId, userId, joined });
  }

  /** Tells the others this node is leaving, and stops. */
  dispose(): void {
    clearInterval(this.timer);
    this.publish({ type: 'node.gone', node: this.nodeId });
    this.unsubscribe();
    this.unwatch();
  }

  private publish(message: ClusterMessage): void {
    if (this.bus.state === 'up') this.bus.publish(message);
  }

  private tick(): void {
    this.publish({ type: 'node.alive', node: this.nodeId });
    const cutoff = Date.now() - NODE_DEAD_AFTER_MS;
    for (const [node, state] of this.nodes) if (state.lastHeard < cutoff) this.forget(node);
  }

  private onBusState(state: BusState): void {
    // Cut off, this node can't tell what changed elsewhere: it forgets the others (without announcing anything
    // for them) and asks again once back.
    this.nodes.clear();
    if (state === 'up') this.sendSnapshot('node.hello');
  }

  private onBus(message: BusMessage): void {
    if (!message.type.startsWith('node.')) return;
    const m = message as ClusterMessage;
    if (m.node === this.nodeId) return;
    if (m.type === 'node.gone') {
      this.forget(m.node);
      return;
    }
    let state = this.nodes.get(m.node);
    if (!state) {
      state = { lastHeard: 0, users: new Map(), rooms: new Map() };
      this.nodes.set(m.node, state);
      // Heard of a node whose snapshot this node never got (it was cut off when the node joined): ask again.
      if (m.type !== 'node.hello' && m.type !== 'node.snapshot') this.sendSnapshot('node.hello');
    }
    state.lastHeard = Date.now();
    // A node (re)joining knows nothing: it is told everything this node holds.
    if (m.type === 'node.hello') this.sendSnapshot('node.snapshot');
    if (m.type === 'node.hello' || m.type === 'node.snapshot') {
      state.users = new Map(m.users.map(([u, d]) => [u, [...d]]));
      state.rooms = new Map(m.rooms.map(([r, users]) => [r, new Set(users)]));
    } else if (m.type === 'node.presence') {
      if (m.devices.length > 0) state.users.set(m.userId, [...m.devices]);
      else state.users.delete(m.userId);
    } else if (m.type === 'node.room') {
      let users = state.rooms.get(m.roomId);
      if (m.joined) {
        if (!users) state.rooms.set(m.roomId, (users = new Set()));
        users.add(m.userId);
      } else if (users) {
        users.delete(m.userId);
        if (users.size === 0) state.rooms.delete(m.roomId);
      }
    }
  }

  private sendSnapshot(type: 'node.hello' | 'node.snapshot'): void {
    this.publish({
      type,
      node: this.nodeId,
      users: [...this.local.users()],
      rooms: [...this.local.rooms()],
    });
  }

  private forget(node: string): void {
    const state = this.nodes.get(node);
    if (!state) return;
    this.nodes.delete(node);
    const lost: LostNode = { node, users: [...state.users.keys()], rooms: state.rooms };
    for (const listener of this.lostListeners) listener(lost);
  }
}
