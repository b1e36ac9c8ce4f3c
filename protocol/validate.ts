/**
 * Compiled runtime validators for every schema of the protocol. Compiled once at import, so checking a
 * frame is a plain function call (TypeBox's compiler generates the checking code).
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ENTRY_BODIES, SENDABLE_KINDS, type EntryKind, type SendableKind } from './entries.js';
import { MalformedFrameError, ProtocolError } from './errors.js';
import { EVENTS, ServerEventSchema, type EventName, type ServerEvent } from './events.js';
import { ANSWERS, REQUESTS, type Op, type OpRequest, type OpResult } from './ops.js';
import { RequestFrameSchema, ServerFrameSchema, type RawRequestFrame } from './frames.js';

export interface Validator<T> {
  check(value: unknown): value is T;
  /** A short human description of the first problem, or null when the value is valid. */
  explain(value: unknown): string | null;
}

export function compile<S extends TSchema>(schema: S): Validator<Static<S>> {
  const checker: TypeCheck<S> = TypeCompiler.Compile(schema);
  return {
    check: (value): value is Static<S> => checker.Check(value),
    explain(value) {
      if (checker.Check(value)) return null;
      const first = checker.Errors(value).First();
      if (!first) return 'invalid value';
      const where = first.path === '' ? 'body' : first.path;
      return `${where}: ${first.message}`;
    },
  };
}

/** Parses with `validator` or throws BAD_REQUEST naming the first problem. */
export function parseOrThrow<T>(validator: Validator<T>, value: unknown, what: string): T {
  if (validator.check(value)) return value;
  throw new ProtocolError('BAD_REQUEST', `${what}: ${validator.explain(value) ?? 'invalid'}`);
}

export const requestFrameValidator = compile(RequestFrameSchema);
export const serverFrameValidator = compile(ServerFrameSchema);

const requestValidators = Object.fromEntries(
  Object.entries(REQUESTS).map(([op, schema]) => [op, compile(schema)]),
) as { [O in Op]: Validator<OpRequest<O>> };

const answerValidators = Object.fromEntries(
  Object.entries(ANSWERS).map(([op, schema]) => [op, compile(schema)]),
) as { [O in Op]: Validator<OpResult<O>> };

const eventValidators = Object.fromEntries(
  Object.entries(EVENTS).map(([ev, schema]) => [ev, compile(schema)]),
) as { [E in EventName]: Validator<unknown> };

const serverEventValidator = compile(ServerEventSchema);

const bodyValidators = Object.fromEntries(
  Object.entries(ENTRY_BODIES).map(([kind, schema]) => [kind, compile(schema)]),
) as { [K in EntryKind]: Validator<unknown> };

export function isOp(op: string): op is Op {
  return Object.prototype.hasOwnProperty.call(REQUESTS, op);
}

export function isSendableKind(kind: string): kind is SendableKind {
  return (SENDABLE_KINDS as readonly string[]).includes(kind);
}

export function isEntryKind(kind: string): kind is EntryKind {
  return Object.prototype.hasOwnProperty.call(ENTRY_BODIES, kind);
}

/** Validates an op's body; throws BAD_REQUEST for an unknown op or a body of the wrong shape. */
export function parseRequestBody<O extends Op>(op: O, body: unknown): OpRequest<O> {
  return parseOrThrow(requestValidators[op] as Validator<OpRequest<O>>, body, op);
}

export function parseRequestFrame(frame: unknown): RawRequestFrame {
  return parseOrThrow(requestFrameValidator, frame, 'frame');
}

/** Validates an entry body against its kind's schema; throws BAD_REQUEST when it does not fit. */
export function parseEntryBody(kind: EntryKind, body: unknown): Record<string, unknown> {
  return parseOrThrow(bodyValidators[kind], body, `${kind} body`) as Record<string, unknown>;
}

export function isEventName(ev: string): ev is EventName {
  return Object.prototype.hasOwnProperty.call(EVENTS, ev);
}

/** Checks an answer's body against its op's answer schema; throws MalformedFrameError naming the first problem. */
export function parseAnswer<O extends Op>(op: O, body: unknown): OpResult<O> {
  const validator = answerValidators[op] as Validator<OpResult<O>>;
  if (validator.check(body)) return body;
  throw new MalformedFrameError(`malformed answer to ${op}: ${validator.explain(body) ?? 'invalid'}`);
}

/**
 * Checks an event against its schema: the event, typed by its name, or a description of the problem. An event
 * this version does not know is `unknown` (a newer server's extension: ignored, not an error).
 */
export function parseEvent(ev: string, body: unknown): { ok: true; event: ServerEvent } | { ok: false; unknown: boolean; problem: string } {
  if (!isEventName(ev)) return { ok: false, unknown: true, problem: `unknown event "${ev}"` };
  const event = { ev, body };
  if (serverEventValidator.check(event)) return { ok: true, event };
  return { ok: false, unknown: false, problem: `malformed ${ev} event: ${eventValidators[ev].explain(body) ?? 'invalid'}` };
}
