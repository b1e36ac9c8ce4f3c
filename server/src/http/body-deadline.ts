/**
 * A request other than an upload must send its whole body within a deadline from its start; otherwise it is
 * answered 408 and its connection closed, so a body trickled a byte at a time cannot hold a socket and a handler
 * for ever. Uploads are timed by their idle time instead (files.ts), so a large file on a slow link still arrives.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestTimeoutError, sendError } from './respond.js';

/** After the 408 is written, how long the client has to read it before the socket is destroyed. */
const LINGER_MS = 1_000;

export function armBodyDeadline(req: IncomingMessage, res: ServerResponse, ms: number): void {
  const timer = setTimeout(() => {
    // A request without a body (GET) is complete once its headers are in, however long its answer takes.
    if (req.complete) return;
    const socket = req.socket;
    const close = () => {
      socket.end();
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    };
    if (res.headersSent) {
      socket.destroy();
      return;
    }
    res.once('finish', close);
    sendError(res, new RequestTimeoutError(`the request body must arrive within ${ms} ms`));
  }, ms);
  timer.unref();
  const clear = () => clearTimeout(timer);
  req.once('end', clear);
  res.once('finish', clear);
  res.once('close', clear);
}
