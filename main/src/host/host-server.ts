/**
 * Host mode's server: on 127.0.0.1 only, it serves the built renderer and carries the IPC contract over a
 * WebSocket at HOST_IPC.path.
 *
 * Who may drive it: only the page this host served and opened with its per-launch secret.
 * - The secret (256 random bits) reaches the page in the URL fragment, which is never sent over the network;
 *   the page offers it back as a WebSocket subprotocol. It is compared in constant time.
 * - The WebSocket's Origin must be this host's own origin, so another local page (another port, a web site
 *   in the same browser) is refused even if it guessed the port; browsers do not let pages forge Origin.
 * - The Host header must name 127.0.0.1:<port>, so a DNS-rebinding name pointing at 127.0.0.1 gets nothing.
 * A refused socket is closed with 4401 before any frame is read.
 */
import { createReadStream } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { HOST_IPC, MAX_FILE_BYTES } from '../../../preload/contract.js';
import type { Dispatcher } from '../ipc/dispatcher.js';
import type { ApiEventSource } from '../ipc/event-bus.js';
import { silentLogger, type Logger } from '../ipc/logger.js';
import { rendererCsp } from './csp.js';
import { serveIpcSocket } from './ipc-socket.js';
import { createSecret, MIN_SECRET_LENGTH, secretMatches } from './secret.js';
import { contentType, findStaticFile } from './static-files.js';

const LOOPBACK = '127.0.0.1';
/** A 100 MiB file as base64 inside JSON, plus room for the rest of the frame. */
const MAX_FRAME_BYTES = Math.ceil((MAX_FILE_BYTES * 4) / 3) + 1024 * 1024;

export interface HostServerOptions {
  /** The built renderer. */
  staticDir: string;
  dispatcher: Dispatcher;
  events: ApiEventSource;
  /** 0 (default): any free port. */
  port?: number;
  /** Default: a fresh random one. Pass one (≥ 32 chars) to keep pages valid across restarts in development. */
  secret?: string;
  /** JavaScript of the bridge (see bridge-bundle.ts); injected into every HTML page served. */
  bridgeScript?: string;
  /** Told how many pages are connected, whenever that changes. */
  onClientCountChange?: (count: number) => void;
  log?: Logger;
}

export interface HostServer {
  port: number;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The URL to open: the origin with the secret in its fragment. */
  url: string;
  close(): Promise<void>;
}

export async function startHostServer(options: HostServerOptions): Promise<HostServer> {
  const log = options.log ?? silentLogger;
  const secret = options.secret ?? createSecret();
  if (secret.length < MIN_SECRET_LENGTH || !/^[A-Za-z0-9_-]+$/.test(secret)) {
    throw new RangeError(`host secret must be at least ${MIN_SECRET_LENGTH} base64url characters`);
  }
  const root = await realpath(path.resolve(options.staticDir));
  const bridgeTag = options.bridgeScript === undefined ? '' : `<script src="${HOST_IPC.bridgeScriptPath}"></script>`;
  let port = 0;
  let csp = '';
  let nextClient = 1;
  const sockets = new Set<WebSocket>();

  const securityHeaders = (): Record<string, string> => ({
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });

  const fail = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(text);
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.host !== `${LOOPBACK}:${port}`) return fail(res, 403, 'forbidden');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return fail(res, 405, 'method not allowed');
    }
    const url = req.url ?? '/';
    if (options.bridgeScript !== undefined && url.split('?')[0] === HOST_IPC.bridgeScriptPath) {
      res.writeHead(200, { ...securityHeaders(), 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
      return res.end(req.method === 'HEAD' ? undefined : options.bridgeScript);
    }
    const found = await findStaticFile(root, url);
    if (!found) return fail(res, 404, 'not found');
    const type = contentType(found.file);
    if (type.startsWith('text/html')) {
      const html = injectBridge((await readFile(found.file)).toString('utf8'), bridgeTag);
      res.writeHead(200, { ...securityHeaders(), 'Content-Type': type, 'Cache-Control': 'no-store' });
      return res.end(req.method === 'HEAD' ? undefined : html);
    }
    res.writeHead(200, { ...securityHeaders(), 'Content-Type': type, 'Content-Length': found.size, 'Cache-Control': 'no-cache' });
    if (req.method === 'HEAD') return res.end();
    createReadStream(found.file)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const server = http.createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      log.error({ err: error instanceof Error ? error.message : String(error) }, 'host request failed');
      if (!res.headersSent) fail(res, 500, 'internal error');
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    // Select our protocol only; the secret offered beside it is never echoed back.
    handleProtocols: (protocols) => (protocols.has(HOST_IPC.protocol) ? HOST_IPC.protocol : false),
  });

  server.on('upgrade', (req, socket, head) => {
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname !== HOST_IPC.path || req.headers.host !== `${LOOPBACK}:${port}`) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!isAuthorized(req, secret, `http://${LOOPBACK}:${port}`)) {
        log.warn({ origin: req.headers.origin ?? null }, 'host ipc connection refused');
        ws.close(HOST_IPC.refusedCloseCode, 'refused');
        return;
      }
      sockets.add(ws);
      options.onClientCountChange?.(sockets.size);
      ws.on('close', () => {
        sockets.delete(ws);
        options.onClientCountChange?.(sockets.size);
      });
      serveIpcSocket(ws, { dispatcher: options.dispatcher, events: options.events, clientId: `host-${nextClient++}`, log });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${LOOPBACK}:${port}`;
  csp = rendererCsp({ connect: [`ws://${LOOPBACK}:${port}`] });
  log.info({ origin }, 'host mode listening');

  return {
    port,
    origin,
    url: `${origin}/#${HOST_IPC.fragmentKey}=${secret}`,
    async close() {
      for (const ws of sockets) ws.close(1001, 'host stopping');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      // A page that does not answer the closing handshake must not hold the shutdown.
      const force = setTimeout(() => {
        for (const ws of sockets) ws.terminate();
      }, 1000);
      await closed;
      clearTimeout(force);
      wss.close();
    },
  };
}

function isAuthorized(req: IncomingMessage, secret: string, origin: string): boolean {
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const given = offered.find((p) => p.startsWith(HOST_IPC.secretProtocolPrefix))?.slice(HOST_IPC.secretProtocolPrefix.length);
  // Evaluate both so a wrong origin and a wrong secret take the same path.
  const secretOk = secretMatches(secret, given);
  const originOk = req.headers.origin === origin;
  return secretOk && originOk;
}

/** Puts the bridge first in <head>, so `window.api` exists before any of the renderer's scripts run. */
export function injectBridge(html: string, tag: string): string {
  if (tag === '') return html;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (!head) return tag + html;
  const at = head.index + head[0].length;
  return html.slice(0, at) + tag + html.slice(at);
}
