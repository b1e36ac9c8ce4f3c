/**
 * Chatrooms (docs/protocol.md "Groups and chatrooms"): live rooms whose membership is in memory, per connection,
 * and ends with it. Only online members receive. Messages are stored in the room's log (so a joiner gets the
 * latest 50), but nothing is written per member.
 *
 * Overload policy: a room's fan-out is batched (all frames of a batch for one connection in one socket write, a
 * bounded number of connections per event-loop turn; batches at least `roomFlushMs` apart, and further apart for
 * big rooms so that one room causes at most `roomWritesPerSecond` socket writes). A room whose undelivered
 * backlog reaches `roomMaxPending` refuses new sends with RATE_LIMITED before storing them, so nothing
 * acknowledged is dropped there; a member connection with more than `roomSlowBytes` of unsent output misses the
 * batch live (it is not closed, and it can fetch the gap with `history`).
 *
 * In a cluster, each node holds the room's members connected to it. Stored entries, creation, destruction and
 * "one room at a time" go over the bus, so every node fans each entry out to its own members; the cluster view
 * counts the members of other nodes. Every node queues every entry of the room, so the backlog that refuses sends
 * is the room's, not one node's share of it; a room is idle when no node has seen a message or a join in it.
 */
import { ProtocolError, roomConvId, type LogEntry, type OpResult, type RoomLeftReason } from '../../../protocol/index.js';
import type { Bus, BusMessage } from '../bus/bus.js';
import type { ServerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Storage } from '../storage/storage.js';
import type { ClusterView } from './cluster-view.js';
import { eventFrame, type ClientConnection, type FrameBatch, type Hub } from './hub.js';

/** Latest entries returned by room.join (docs/protocol.md). */
export const ROOM_JOIN_HISTORY = 50;
/** Connections served per event-loop turn during a fan-out, so a huge room does not stall everyone else. */
const CONNECTIONS_PER_TURN = 1000;

interface QueuedFrame {
  frame: Buffer;
  /** performance.now() when the entry was stored and queued. */
  queuedAt: number;
  /** The sending connection, which learns the entry from its acknowledgement. */
  except: string | undefined;
}

class Room {
  /** Member connections by user. */
  readonly members = new Map<string, Set<ClientConnection>>();
  connectionCount = 0;
  lastActivity = Date.now();
  /** Sends admitted and not yet stored. */
  committing = 0;
  /** Stored entries waiting for the next fan-out batch. */
  readonly queue: QueuedFrame[] = [];
  /** Entries of the batch being fanned out now. */
  delivering = 0;
  lastFlush = 0;
  cancelFlush: (() => void) | null = null;
  idleTimer: NodeJS.Timeout | null = null;
  destroyed = false;

  constructor(
    readonly roomId: string,
    public name: string,
  ) {}

  get convId(): string {
    return roomConvId(this.roomId);
  }

  /** Everything admitted and not yet fanned out. */
  get backlog(): number {
    return this.committing + this.queue.length + this.delivering;
  }
}

/** An admitted send: settle it once, with the stored entry or with null when nothing was stored. */
export interface Admission {
  settle(entry: LogEntry | null, exceptConnectionId?: string): void;
}

export class Rooms {
  private readonly rooms = new Map<string, Room>();
  /** Rooms each connection is in. */
  private readonly byConnection = new Map<string, Set<string>>();
  /** Rooms each user is in, oldest join first. */
  private readonly byUser = new Map<string, string[]>();
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly storage: Storage,
    private readonly hub: Hub,
    private readonly bus: Bus,
    private readonly cluster: ClusterView,
    private readonly config: ServerConfig,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    this.unsubscribe = [hub.onRemoved((conn) => this.dropConnection(conn)), bus.subscribe((m) => this.onBus(m))];
  }

  /** Loads the stored rooms; their idle clocks start now. */
  async start(): Promise<void> {
    for (const r of await this.storage.listRooms()) this.add(r.roomId, r.name);
  }

  dispose(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    for (const room of this.rooms.values()) this.stopTimers(room);
  }

  /** The users in each room on this node (this node's part of its cluster snapshot). */
  localMembers(): [string, string[]][] {
    return [...this.rooms.values()].map((r) => [r.roomId, [...r.members.keys()]]);
  }

  list(): OpResult<'room.list'> {
    const rooms = [...this.rooms.values()]
      .map((r) => ({ roomId: r.roomId, name: r.name, online: this.onlineCount(r) }))
      .sort((a, b) => b.online - a.online || (a.roomId < b.roomId ? -1 : 1));
    return { rooms };
  }

  /** Users in the room on every node. */
  private onlineCount(room: Room): number {
    const elsewhere = this.cluster.roomUsersElsewhere(room.roomId);
    for (const userId of room.members.keys()) elsewhere.add(userId);
    return elsewhere.size;
  }

  /** Creates a room or renames it, on every node; true when it was created. */
  async create(roomId: string, name: string): Promise<boolean> {
    const created = await this.storage.putRoom({ roomId, name, createdAt: Date.now() });
    this.bus.publish({ type: 'room.created', roomId, name });
    return created;
  }

  private created(roomId: string, name: string): void {
    const room = this.rooms.get(roomId);
    if (room) {
      room.name = name;
      room.lastActivity = Date.now();
    } else {
      this.add(roomId, name);
    }
  }

  /** Destroys a room and its log; its members on every node get `room.left`. False when there is no such room. */
  async destroy(roomId: string, reason: RoomLeftReason): Promise<boolean> {
    if (!this.rooms.has(roomId)) return false;
    this.bus.publish({ type: 'room.destroyed', roomId, reason });
    await this.storage.deleteRoom(roomId);
    return true;
  }

  private destroyed(roomId: string, reason: RoomLeftReason): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    this.rooms.delete(roomId);
    room.destroyed = true;
    this.stopTimers(room);
    const frame = eventFrame('room.left', { roomId, reason });
    for (const conns of [...room.members.values()]) {
      for (const conn of [...conns]) {
        this.removeConnection(room, conn);
        conn.sendFrame(frame);
      }
    }
  }

  private onBus(m: BusMessage): void {
    if (m.type === 'room.msg') {
      const room = this.rooms.get(m.roomId);
      if (room) this.enqueue(room, Buffer.from(m.frame), m.ts, m.exceptConnectionId);
    } else if (m.type === 'room.created') {
      this.created(m.roomId, m.name);
    } else if (m.type === 'room.destroyed') {
      this.destroyed(m.roomId, m.reason);
    } else if (m.type === 'room.switched') {
      const room = this.rooms.get(m.roomId);
      const conns = room?.members.get(m.userId);
      if (!room || !conns) return;
      const frame = eventFrame('room.left', { roomId: m.roomId, reason: 'switched' });
      for (const conn of [...conns]) {
        this.removeConnection(room, conn);
        conn.sendFrame(frame);
      }
    } else if (m.type === 'node.room' && m.joined) {
      const room = this.rooms.get(m.roomId);
      if (room) room.lastActivity = Date.now();
    }
  }

  async join(connectionId: string, roomId: string): Promise<OpResult<'room.join'>> {
    let room = this.rooms.get(roomId);
    if (!room && this.config.roomAutoCreate) {
      await this.create(roomId, roomId);
      room = this.rooms.get(roomId);
    }
    if (!room) throw new ProtocolError('NOT_FOUND', 'no such chatroom');
    const conn = this.hub.connection(connectionId);
    if (conn && !this.byConnection.get(connectionId)?.has(roomId)) {
      // Rooms joined on other nodes count as joined before those joined here.
      const here = this.byUser.get(conn.userId) ?? [];
      const joined = [...[...this.cluster.roomsElsewhere(conn.userId)].filter((r) => !here.includes(r)), ...here];
      if (!joined.includes(roomId)) {
        // One room at a time (by default): the rooms joined first are left, on every device of the user.
        for (const old of joined.slice(0, Math.max(0, joined.length + 1 - this.config.roomsPerUser))) {
          this.leaveUser(old, conn);
          if (this.cluster.roomsElsewhere(conn.userId).has(old)) this.bus.publish({ type: 'room.switched', roomId: old, userId: conn.userId });
        }
      }
      this.addConnection(room, conn);
    }
    room.lastActivity = Date.now();
    const messages = await this.storage.history(room.convId, { limit: ROOM_JOIN_HISTORY });
    return { room: { roomId, name: room.name }, messages };
  }

  leave(connectionId: string, roomId: string): void {
    const room = this.rooms.get(roomId);
    if (!room) throw new ProtocolError('NOT_FOUND', 'no such chatroom');
    const conn = this.hub.connection(connectionId);
    if (conn && this.byConnection.get(connectionId)?.has(roomId)) this.removeConnection(room, conn);
  }

  /** The room, if it exists (NOT_FOUND otherwise). */
  requireRoom(roomId: string): void {
    if (!this.rooms.has(roomId)) throw new ProtocolError('NOT_FOUND', 'no such chatroom');
  }

  /** The room, if the connection is in it (NOT_FOUND for no room, FORBIDDEN for not joined). */
  requireMember(roomId: string, connectionId: string | undefined): void {
    this.requireRoom(roomId);
    if (!connectionId || !this.byConnection.get(connectionId)?.has(roomId)) throw new ProtocolError('FORBIDDEN', 'join the chatroom first');
  }

  /** Admits a send into the room's backlog, or refuses it (RATE_LIMITED) when the backlog is full. */
  admit(roomId: string): Admission {
    const room = this.rooms.get(roomId);
    if (!room) throw new ProtocolError('NOT_FOUND', 'no such chatroom');
    if (room.backlog >= this.config.roomMaxPending) {
      this.metrics.roomSendsRefused.inc();
      throw new ProtocolError('RATE_LIMITED', 'this chatroom is busy; retry shortly', { retryAfterMs: Math.max(100, 5 * this.config.roomFlushMs) });
    }
    room.committing++;
    let settled = false;
    return {
      settle: (entry, except) => {
        if (settled) return;
        settled = true;
        room.committing--;
          if (entry) this.publish(roomId, entry, except);
      },
    };
  }

  /** Fans out an entry stored outside a send (a recall). */
  deliver(roomId: string, entry: LogEntry): void {
    if (this.rooms.has(roomId)) this.publish(roomId, entry, undefined);
  }

  /** Hands a stored entry to every node (this one included) for fan-out. */
  private publish(roomId: string, entry: LogEntry, except: string | undefined): void {
    this.bus.publish({ type: 'room.msg', roomId, frame: eventFrame('msg', entry), ts: entry.ts, ...(except ? { exceptConnectionId: except } : {}) });
  }

  // --- membership

  private add(roomId: string, name: string): void {
    const room = new Room(roomId, name);
    this.rooms.set(roomId, room);
    this.armIdle(room, this.config.roomIdleMs);
  }

  private addConnection(room: Room, conn: ClientConnection): void {
    let conns = room.members.get(conn.userId);
    if (!conns) {
      room.members.set(conn.userId, (conns = new Set()));
      this.cluster.roomChanged(room.roomId, conn.userId, true);
      const joined = this.byUser.get(conn.userId);
      if (joined) joined.push(room.roomId);
      else this.byUser.set(conn.userId, [room.roomId]);
    }
    if (!conns.has(conn)) {
      conns.add(conn);
      room.connectionCount++;
    }
    let rooms = this.byConnection.get(conn.id);
    if (!rooms) this.byConnection.set(conn.id, (rooms = new Set()));
    rooms.add(room.roomId);
  }

  private removeConnection(room: Room, conn: ClientConnection): void {
    const conns = room.members.get(conn.userId);
    const removed = conns?.delete(conn) ?? false;
    if (removed) room.connectionCount--;
    if (removed && conns!.size === 0) {
      room.members.delete(conn.userId);
      this.cluster.roomChanged(room.roomId, conn.userId, false);
      const joined = this.byUser.get(conn.userId);
      if (joined) {
        const rest = joined.filter((r) => r !== room.roomId);
        if (rest.length > 0) this.byUser.set(conn.userId, rest);
        else this.byUser.delete(conn.userId);
      }
    }
    const rooms = this.byConnection.get(conn.id);
    if (rooms?.delete(room.roomId) && rooms.size === 0) this.byConnection.delete(conn.id);
  }

  /** The user leaves `roomId` on every connection; the others than `joining` are told. */
  private leaveUser(roomId: string, joining: ClientConnection): void {
    const room = this.rooms.get(roomId);
    const conns = room?.members.get(joining.userId);
    if (!room || !conns) return;
    const frame = eventFrame('room.left', { roomId, reason: 'switched' });
    for (const conn of [...conns]) {
      this.removeConnection(room, conn);
      if (conn !== joining) conn.sendFrame(frame);
    }
  }

  private dropConnection(conn: ClientConnection): void {
    const rooms = this.byConnection.get(conn.id);
    if (!rooms) return;
    for (const roomId of [...rooms]) {
      const room = this.rooms.get(roomId);
      if (room) this.removeConnection(room, conn);
    }
    this.byConnection.delete(conn.id);
  }

  // --- fan-out

  private enqueue(room: Room, frame: Buffer, ts: number, except: string | undefined): void {
    if (room.destroyed) return;
    room.lastActivity = Math.max(room.lastActivity, ts);
    room.queue.push({ frame, queuedAt: performance.now(), except });
    this.scheduleFlush(room);
  }

  private scheduleFlush(room: Room): void {
    if (room.cancelFlush || room.delivering > 0 || room.queue.length === 0 || room.destroyed) return;
    // The first message after a quiet spell goes out at once; under load, batches are spaced so that the room
    // causes at most roomWritesPerSecond socket writes (one per member connection per batch).
    const every = Math.max(this.config.roomFlushMs, (1000 * room.connectionCount) / this.config.roomWritesPerSecond);
    const wait = room.lastFlush + every - Date.now();
    if (wait <= 0) {
      const handle = setImmediate(() => this.flush(room));
      room.cancelFlush = () => clearImmediate(handle);
    } else {
      const handle = setTimeout(() => this.flush(room), wait);
      room.cancelFlush = () => clearTimeout(handle);
    }
  }

  private flush(room: Room): void {
    room.cancelFlush = null;
    if (room.destroyed || room.queue.length === 0) return;
    room.lastFlush = Date.now();
    const batch = room.queue.splice(0);
    room.delivering = batch.length;
    const shared: FrameBatch = { frames: batch.map((q) => q.frame) };
    const targets: ClientConnection[] = [];
    for (const conns of room.members.values()) for (const conn of conns) targets.push(conn);
    let next = 0;
    const step = () => {
      const end = Math.min(next + CONNECTIONS_PER_TURN, targets.length);
      for (; next < end && !room.destroyed; next++) this.deliverBatch(room, targets[next]!, batch, shared);
      if (next < targets.length && !room.destroyed) {
        setImmediate(step);
        return;
      }
      room.delivering = 0;
      const done = performance.now();
      for (const q of batch) this.metrics.roomFanout.observe((done - q.queuedAt) / 1000);
      this.scheduleFlush(room);
    };
    step();
  }

  private deliverBatch(room: Room, conn: ClientConnection, batch: readonly QueuedFrame[], shared: FrameBatch): void {
    // It may have left (or closed) while the batch was being fanned out.
    if (!this.byConnection.get(conn.id)?.has(room.roomId)) return;
    // A sender's connection gets the batch without its own messages (it has their acknowledgements).
    const own = batch.some((q) => q.except === conn.id);
    const mine: FrameBatch = own ? { frames: batch.filter((q) => q.except !== conn.id).map((q) => q.frame) } : shared;
    if (mine.frames.length === 0) return;
    if (conn.bufferedAmount > this.config.roomSlowBytes) {
      this.metrics.roomDeliveriesSkipped.inc(mine.frames.length);
      return;
    }
    conn.sendFrames(mine);
  }

  // --- idle destruction

  private armIdle(room: Room, ms: number): void {
    room.idleTimer = setTimeout(() => this.checkIdle(room), ms);
    room.idleTimer.unref();
  }

  private checkIdle(room: Room): void {
    room.idleTimer = null;
    if (room.destroyed) return;
    const idle = Date.now() - room.lastActivity;
    if (idle < this.config.roomIdleMs) {
      this.armIdle(room, this.config.roomIdleMs - idle);
      return;
    }
    this.destroy(room.roomId, 'idle').catch((error: unknown) => this.log.error({ err: error, roomId: room.roomId }, 'idle chatroom not destroyed'));
  }

  private stopTimers(room: Room): void {
    room.cancelFlush?.();
    room.cancelFlush = null;
    if (room.idleTimer) clearTimeout(room.idleTimer);
    room.idleTimer = null;
  }
}
