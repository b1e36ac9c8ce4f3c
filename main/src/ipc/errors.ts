/**
 * Errors at the IPC edge: inside main, handlers throw (ProtocolError for the server's codes, IpcError for the
 * local ones); here they become `{code, message}` values. Anything else is a bug and crosses only as INTERNAL,
 * so no stack or internal detail reaches the renderer.
 */
import { isErrorCode, ProtocolError } from '../../../protocol/errors.js';
import { LOCAL_ERROR_CODES, isRegisterRefusal, type ApiErrorBody, type ApiErrorCode } from '../../../preload/contract.js';

export class IpcError extends Error {
  readonly code: ApiErrorCode;
  readonly retryAfterMs: number | undefined;
  constructor(code: ApiErrorCode, message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'IpcError';
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return isErrorCode(value) || (LOCAL_ERROR_CODES as readonly unknown[]).includes(value);
}

export const INTERNAL_ERROR: ApiErrorBody = Object.freeze({ code: 'INTERNAL', message: 'internal error' });

/** The value an error crosses as; `expected` is false for errors that are bugs (worth logging). */
export function toErrorBody(error: unknown): { body: ApiErrorBody; expected: boolean } {
  if (error instanceof ProtocolError || error instanceof IpcError) {
    const body: ApiErrorBody = { code: error.code, message: String(error.message) };
    const retryAfterMs = error instanceof IpcError ? error.retryAfterMs : error.extra.retryAfterMs;
    if (typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs)) body.retryAfterMs = retryAfterMs;
    if (error instanceof ProtocolError && isRegisterRefusal(error.extra.reason)) body.reason = error.extra.reason;
    return { body, expected: error.code !== 'INTERNAL' };
  }
  return { body: { ...INTERNAL_ERROR }, expected: false };
}
