/**
 * A minimal WebSocket client for receiving a great many small frames cheaply (bench/server-load.ts, chatroom
 * phase): the handshake, text frames sent with a zero mask, and a scanner that hands each text payload to a
 * callback as (buffer, start, end) without allocating per frame. Pings are answered; nothing else of RFC 6455
 * is needed by the bench (no fragmentation from the server, no extensions).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

export type FrameHandler = (buf: Buffer, start: number, end: number) => void;

const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;

export class RawWs {
  private rest: Buffer | null = null;
  closed = false;
  onFrame: FrameHandler = () => undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  /** Connects to ws://host:port/path and completes the opening handshake. */
  static connect(url: string, timeoutMs = 30_000): Promise<RawWs> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(u.port), u.hostname);
      const key = randomBytes(16).toString('base64');
      let head = Buffer.alloc(0);
      const timer = setTimeout(() => fail(new Error('handshake timed out')), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        clearTimeout(timer);
        if (!/^HTTP\/1\.1 101 /.test(head.toString('latin1', 0, 16))) return fail(new Error(`upgrade refused: ${head.toString('latin1', 0, 40)}`));
        const ws = new RawWs(socket);
        socket.on('data', (c: Buffer) => ws.scan(c));
        if (head.length > end + 4) ws.scan(head.subarray(end + 4));
        resolve(ws);
      };
      socket.on('data', onData);
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.write(
          `GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
    });
  }

  /** Sends a text frame (masked with a zero key, so the payload goes as it is). */
  send(text: string): void {
    this.sendFrame(OPCODE_TEXT, Buffer.from(text));
  }

  close(): void {
    if (this.closed) return;
    this.sendFrame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8])); // 1000
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Stops reading the socket (what the server sends stays queued on its side), or starts again. */
  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  private sendFrame(opcode: number, payload: Buffer): void {
    if (this.closed) return;
    const n = payload.length;
    const header = n < 126 ? Buffer.alloc(6) : n < 65536 ? Buffer.alloc(8) : Buffer.alloc(14);
    header[0] = 0x80 | opcode;
    if (n < 126) header[1] = 0x80 | n;
    else if (n < 65536) {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(n, 2);
    } else {
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(n), 2);
    }
    // The 4 mask bytes stay zero.
    this.socket.write(Buffer.concat([header, payload]));
  }

  private scan(chunk: Buffer): void {
    let buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    let at = 0;
    while (buf.length - at >= 2) {
      const opcode = buf[at]! & 0x0f;
      let len = buf[at + 1]! & 0x7f;
      let start = at + 2;
      if (len === 126) {
        if (buf.length - at < 4) break;
        len = buf.readUInt16BE(at + 2);
        start = at + 4;
      } else if (len === 127) {
        if (buf.length - at < 10) break;
        len = Number(buf.readBigUInt64BE(at + 2));
        start = at + 10;
      }
      const end = start + len;
      if (end > buf.length) break;
      if (opcode === OPCODE_TEXT) this.onFrame(buf, start, end);
      else if (opcode === OPCODE_PING) this.sendFrame(OPCODE_PONG, Buffer.from(buf.subarray(start, end)));
      else if (opcode === OPCODE_CLOSE) this.socket.end();
      at = end;
    }
    if (at < buf.length) {
      // Keep the partial frame; copy it so the big chunk it came in can be collected.
      buf = buf.subarray(at);
      this.rest = Buffer.from(buf);
    }
  }
}
