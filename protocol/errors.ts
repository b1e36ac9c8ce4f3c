/** Error codes and WebSocket close codes of docs/protocol.md. */

export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'BLOCKED',
  'MUTED',
  'TOO_LARGE',
  'GROUP_FULL',
  'CONTENT_REJECTED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Only these may be retried by a client (besides getting no answer at all). */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['RATE_LIMITED', 'INTERNAL']);

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  retryAfterMs?: number;
  [extra: string]: unknown;
}

export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008,
  tooBig: 1009,
  /** The server can't serve this connection now (a cluster node cut off from the others): reconnect (docs/protocol.md part 2). */
  serviceRestart: 1012,
  unauthenticated: 4401,
  sessionRevoked: 4403,
  replaced: 4409,
} as const;

/** A typed error that crosses a boundary as `{code, message}`. */
export class ProtocolError extends Error {
  readonly code: ErrorCode;
  readonly extra: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.extra = extra;
  }
  toBody(): ErrorBody {
    return { ...this.extra, code: this.code, message: this.message };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * What a server sent does not fit the contract (a frame that is not JSON, an envelope or a body of the wrong
 * shape). Raised on the receiving side only, never sent: the request it answered fails with it. Its code is
 * INTERNAL, as for a server's own failure: the request may be retried, and the message names the problem.
 */
export class MalformedFrameError extends ProtocolError {
  constructor(message: string) {
    super('INTERNAL', message);
    this.name = 'MalformedFrameError';
  }
}
