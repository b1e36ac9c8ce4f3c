/** HTTP plumbing shared by the routes: JSON answers, typed errors, bounded bodies, bearer auth. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProtocolError, type ErrorCode } from '../../../protocol/index.js';
import type { Validator } from '../../../protocol/index.js';
import type { TokenService } from '../auth/tokens.js';

const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  BLOCKED: 403,
  MUTED: 403,
  TOO_LARGE: 413,
  GROUP_FULL: 409,
  CONTENT_REJECTED: 422,
  INTERNAL: 500,
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}

/**
 * A request whose body did not arrive in time: BAD_REQUEST answered with HTTP 408, and the connection closed
 * (what is left of the body is never read).
 */
export class RequestTimeoutError extends ProtocolError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
    this.name = 'RequestTimeoutError';
  }
}

export function sendError(res: ServerResponse, error: ProtocolError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof RequestTimeoutError) res.setHeader('Connection', 'close');
  sendJson(res, error instanceof RequestTimeoutError ? 408 : STATUS[error.code], { error: error.toBody() });
}

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** Reads a request body of at most `limit` bytes; TOO_LARGE beyond. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new ProtocolError('TOO_LARGE', `body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new ProtocolError('TOO_LARGE', `body over ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    // The connection went away mid-body (the client's doing, or the body deadline's).
    throw new ProtocolError('BAD_REQUEST', 'the request body was cut short');
  }
  return Buffer.concat(chunks);
}

export function parseJson<T>(raw: Buffer, validator: Validator<T>, what: string): T {
  let value: unknown;
  try {
    value = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ProtocolError('BAD_REQUEST', `${what}: body is not valid JSON`);
  }
  if (!validator.check(value)) throw new ProtocolError('BAD_REQUEST', `${what}: ${validator.explain(value)}`);
  return value;
}

/** The token of an `Authorization: Bearer <token>` header; UNAUTHENTICATED without one. */
export function bearerToken(req: IncomingMessage): string {
  const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
  if (!match) throw new ProtocolError('UNAUTHENTICATED', 'Authorization: Bearer <token> required');
  return match[1]!;
}

export async function bearerUser(req: IncomingMessage, tokens: TokenService): Promise<string> {
  return tokens.verify(bearerToken(req));
}
