/** Accepts WebSocket upgrades at /v1/ws and keeps connections alive with pings. */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { WsConnection, type ConnectionDeps } from './connection.js';

export class Gateway {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<WsConnection>();
  private readonly pingTimer: NodeJS.Timeout;

  constructor(
    server: Server,
    private readonly deps: ConnectionDeps,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.config.maxFrameBytes, perMessageDeflate: false });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/v1/ws') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = new WsConnection(ws, deps, socket);
        this.connections.add(conn);
        ws.on('close', () => this.connections.delete(conn));
      });
    });
    this.pingTimer = setInterval(() => this.heartbeat(), deps.config.pingIntervalMs);
    this.pingTimer.unref();
  }

  private heartbeat(): void {
    const cutoff = Date.now() - this.deps.config.pongTimeoutMs;
    for (const conn of this.connections) {
      if (conn.lastPong < cutoff) conn.terminate();
      else conn.ping();
    }
  }

  /** Closes every connection (1001, going away) and stops accepting. */
  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    for (const conn of this.connections) conn.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
