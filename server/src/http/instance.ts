/**
 * The launcher's instance proof (docs/protocol.md part 2): `npm start` gives the server it starts a secret in
 * PARLEY_INSTANCE_TOKEN and keeps it in that server's data directory; a later `npm start` finding the port
 * taken reuses the server there only if it answers a fresh nonce with the HMAC only that secret gives. The
 * port the request arrived on is part of the HMAC, so a program on another port cannot pass the launcher's
 * nonce on to the real server and replay its answer.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProtocolError } from '../../../protocol/index.js';
import { sendJson } from './respond.js';

const NONCE = /^[0-9a-f]{32,128}$/;

/** HMAC-SHA256, keyed by the token, of `<nonce>:<port>`, in lowercase hex. */
export function instanceProof(token: string, nonce: string, port: number): string {
  return createHmac('sha256', token).update(`${nonce}:${port}`).digest('hex');
}

export function answerInstance(req: IncomingMessage, res: ServerResponse, token: string): void {
  const nonce = new URL(req.url ?? '/', 'http://localhost').searchParams.get('nonce') ?? '';
  if (!NONCE.test(nonce)) throw new ProtocolError('BAD_REQUEST', 'nonce must be 32 to 128 lowercase hex digits');
  const port = req.socket.localPort;
  if (port === undefined) throw new ProtocolError('INTERNAL', 'the connection has no local port');
  res.setHeader('Cache-Control', 'no-store');
  sendJson(res, 200, { proof: instanceProof(token, nonce, port) });
}
