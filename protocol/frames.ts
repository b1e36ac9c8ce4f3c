/** The three frame shapes on the socket. */
import { Type, type Static } from '@sinclair/typebox';
import type { ErrorBody } from './errors.js';
import type { EventBodies, EventName } from './events.js';
import type { Op, OpRequest, OpResult } from './ops.js';

export const RequestFrameSchema = Type.Object({
  type: Type.Literal('req'),
  id: Type.Integer(),
  op: Type.String({ maxLength: 64 }),
  body: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type RawRequestFrame = Static<typeof RequestFrameSchema>;

/**
 * An error answer's `error`. `code` is any string here: a newer server may use a code this version does not
 * know (the client reads it as BAD_REQUEST, see server-connection); extra fields (e.g. MUTED's `untilTs`) are allowed.
 */
export const ErrorBodySchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
  retryAfterMs: Type.Optional(Type.Number({ minimum: 0 })),
});

/** The envelopes a server sends; the body is then checked against its op's answer or its event's schema. */
export const ResponseFrameSchema = Type.Union([
  Type.Object({ type: Type.Literal('res'), id: Type.Integer(), ok: Type.Literal(true), body: Type.Record(Type.String(), Type.Unknown()) }),
  Type.Object({ type: Type.Literal('res'), id: Type.Integer(), ok: Type.Literal(false), error: ErrorBodySchema }),
]);

export const EventEnvelopeSchema = Type.Object({
  type: Type.Literal('evt'),
  ev: Type.String(),
  body: Type.Record(Type.String(), Type.Unknown()),
});

/** What a server may send: an answer or an event. */
export const ServerFrameSchema = Type.Union([ResponseFrameSchema, EventEnvelopeSchema]);

export interface RequestFrame<O extends Op = Op> {
  type: 'req';
  id: number;
  op: O;
  body: OpRequest<O>;
}
export type ResponseFrame<O extends Op = Op> =
  | { type: 'res'; id: number; ok: true; body: OpResult<O> }
  | { type: 'res'; id: number; ok: false; error: ErrorBody };
export type EventFrame<E extends EventName = EventName> = { [K in E]: { type: 'evt'; ev: K; body: EventBodies[K] } }[E];
export type ServerFrame = ResponseFrame | EventFrame;
