/**
 * Cross-connection fan-out. In-process by default; a multi-node deployment swaps in an implementation
 * over NATS (or similar) with the same two calls, since every message here is plain JSON.
 */
export type BusMessage =
  /** Deliver an already-serialized frame to every connection of these users, except one connection. */
  | { type: 'deliver'; userIds: readonly string[]; frame: string; exceptConnectionId?: string }
  /** End every session of a user (ban), or only those opened with the named tokens (by hash: logout, revoked devices). */
  | { type: 'revoke'; userId: string; reason: string; tokenHashes?: readonly string[] }
  /** A group's membership or settings changed: every node drops what it cached of it. */
  | { type: 'group.changed'; groupId: string };

export interface Bus {
  publish(message: BusMessage): void;
  subscribe(handler: (message: BusMessage) => void): () => void;
  close(): Promise<void>;
}

export class LocalBus implements Bus {
  private readonly handlers = new Set<(message: BusMessage) => void>();

  publish(message: BusMessage): void {
    for (const handler of this.handlers) handler(message);
  }

  subscribe(handler: (message: BusMessage) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
