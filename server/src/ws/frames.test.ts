import { WebSocket, WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeTextFrames } from './frames.js';

describe('encodeTextFrames', () => {
  let wss: WebSocketServer | null = null;
  afterEach(() => wss?.close());

  it('writes frames a real WebSocket client reads back as text messages, for every length class', async () => {
    const payloads = ['', 'hi', 'x'.repeat(125), 'é'.repeat(100), 'y'.repeat(126), 'z'.repeat(65535), 'w'.repeat(70_000)].map((s) => Buffer.from(s));
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => wss!.once('listening', () => resolve()));
    const port = (wss.address() as { port: number }).port;
    wss.on('connection', (_ws, req) => req.socket.write(encodeTextFrames(payloads)));
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    const got: Array<{ text: string; binary: boolean }> = [];
    await new Promise<void>((resolve, reject) => {
      client.on('message', (data, isBinary) => {
        got.push({ text: String(data), binary: isBinary });
        if (got.length === payloads.length) resolve();
      });
      client.on('error', reject);
    });
    client.close();
    expect(got.map((g) => g.binary)).toEqual(payloads.map(() => false));
    expect(got.map((g) => g.text)).toEqual(payloads.map((p) => p.toString()));
  });
});
