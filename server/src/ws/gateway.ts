/** Accepts WebSocket upgrades at /v1/ws and keeps connections alive with pings. */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { BlockList } from 'node:net';
import { parseTrustedProxies } from '../config.js';
import { clientAddress } from '../http/client-address.js';
import { CONNECTION_RETRY_AFTER_MS, WsConnection, type ConnectionDeps } from './connection.js';

export class Gateway {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<WsConnection>();
  private readonly pingTimer: NodeJS.Timeout;
  /** Sockets per client address, from the upgrade request until the socket closes. */
  private readonly perAddress = new Map<string, number>();
  /** Behind these reverse proxies the client is named by X-Forwarded-For (PARLEY_TRUSTED_PROXIES). */
  private readonly trustedProxies: BlockList | null;

  constructor(
    server: Server,
    private readonly deps: ConnectionDeps,
  ) {
    this.trustedProxies = parseTrustedProxies(deps.config.trustedProxies);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.config.maxFrameBytes, perMessageDeflate: false });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/v1/ws') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      if (!deps.hub.accepting) {
        // A load balancer tries another node (nginx: proxy_next_upstream http_503).
        const body = JSON.stringify({ error: { code: 'INTERNAL', message: 'this server lost contact with its cluster; try another', retryAfterMs: CONNECTION_RETRY_AFTER_MS } });
        socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
        return;
      }
      const address = clientAddress(req, this.trustedProxies);
      const held = this.perAddress.get(address) ?? 0;
      if (held >= deps.config.maxConnectionsPerIp) {
        deps.metrics.limitRefusals.inc({ limit: 'ip-connections' });
        const retryAfterMs = CONNECTION_RETRY_AFTER_MS;
        const body = JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'too many connections from this address', retryAfterMs } });
        socket.end(
          `HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${Math.ceil(retryAfterMs / 1000)}\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
        return;
      }
      this.perAddress.set(address, held + 1);
      socket.once('close', () => {
        const left = (this.perAddress.get(address) ?? 1) - 1;
        if (left > 0) this.perAddress.set(address, left);
        else this.perAddress.delete(address);
      });
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
