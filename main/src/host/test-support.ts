/** Helpers for the host tests: a raw HTTP client and a `ws`-based socket for the bridge. Not used by the app. */
import http from 'node:http';
import { WebSocket } from 'ws';
import type { OpenSocket } from '../../../preload/host-bridge.js';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** GET with the path sent exactly as given (no normalization), to test traversal. */
export function rawRequest(port: number, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens the host's socket as a browser page of `origin` would (browsers always send Origin). */
export function nodeSocketOpener(origin: string | undefined): OpenSocket {
  return (url, protocols, handlers) => {
    const ws = new WebSocket(url, protocols, origin === undefined ? {} : { origin });
    ws.on('open', () => handlers.open());
    ws.on('message', (data, isBinary) => {
      if (!isBinary) handlers.message(data.toString());
    });
    ws.on('close', (code) => handlers.close(code));
    ws.on('error', () => {});
    return { send: (text) => ws.send(text), close: () => ws.close() };
  };
}

/** Connects a raw socket and resolves with how it ended (close code) or that it opened and stayed open. */
export function connectRaw(url: string, protocols: string[], origin: string | undefined): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, origin === undefined ? {} : { origin });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) resolve(1006);
    ws.once('close', (code) => resolve(code));
  });
}

export function nextMessage(ws: WebSocket): Promise<unknown> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()))));
}
