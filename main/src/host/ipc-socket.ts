/**
 * One authenticated host-mode WebSocket: carries calls to the dispatcher and pushes every event. Frames are
 * validated like any other trust boundary; a malformed one gets a BAD_REQUEST answer and the socket stays.
 */
import { Type } from '@sinclair/typebox';
import type { RawData, WebSocket } from 'ws';
import { compile } from '../../../protocol/validate.js';
import type { ApiResult } from '../../../preload/contract.js';
import { createWireCodec, type Base64 } from '../../../preload/wire-codec.js';
import type { Dispatcher } from '../ipc/dispatcher.js';
import { INTERNAL_ERROR } from '../ipc/errors.js';
import type { ApiEventSource } from '../ipc/event-bus.js';
import { describeError, type Logger } from '../ipc/logger.js';

const CallFrame = compile(
  Type.Object(
    { id: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), method: Type.String({ maxLength: 64 }), arg: Type.Optional(Type.Unknown()) },
    { additionalProperties: false },
  ),
);

const nodeBase64: Base64 = {
  encode: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  decode: (text) => {
    const buf = Buffer.from(text, 'base64');
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  },
};
const codec = createWireCodec(nodeBase64);

export interface IpcSocketOptions {
  dispatcher: Dispatcher;
  events: ApiEventSource;
  clientId: string;
  log: Logger;
}

export function serveIpcSocket(ws: WebSocket, options: IpcSocketOptions): void {
  const { dispatcher, events, clientId, log } = options;
  const ctx = { transport: 'host', clientId } as const;

  const send = (frame: Record<string, unknown>) => {
    if (ws.readyState !== ws.OPEN) return;
    let text: string;
    try {
      text = codec.stringify(frame);
    } catch (error) {
      log.error({ clientId, err: describeError(error) }, 'ipc frame cannot be encoded');
      if (typeof frame.id !== 'number') return;
      text = JSON.stringify({ id: frame.id, result: { ok: false, error: INTERNAL_ERROR } });
    }
    ws.send(text);
  };

  const answer = (id: number, result: ApiResult<unknown>) => send({ id, result });
  const badRequest = (id: number, message: string) => answer(id, { ok: false, error: { code: 'BAD_REQUEST', message } });

  const unsubscribe = events.onAny((event, payload) => send({ event, payload }));
  ws.on('close', unsubscribe);
  ws.on('error', (error) => log.warn({ clientId, err: describeError(error) }, 'ipc socket error'));

  ws.on('message', (data, isBinary) => {
    if (isBinary) return badRequest(0, 'binary frames are not used');
    let frame: unknown;
    try {
      frame = codec.parse(rawText(data));
    } catch {
      return badRequest(0, 'frame is not valid JSON');
    }
    if (!CallFrame.check(frame)) {
      const id = (frame as { id?: unknown } | null)?.id;
      return badRequest(Number.isSafeInteger(id) && (id as number) >= 0 ? (id as number) : 0, `frame: ${CallFrame.explain(frame)}`);
    }
    const { id, method, arg } = frame;
    void dispatcher.dispatch(method, arg, ctx).then((result) => answer(id, result));
  });
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
