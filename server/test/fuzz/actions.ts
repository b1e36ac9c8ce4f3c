/**
 * What one fuzz case does: a list of actions over the fuzzing connections — requests of every op with bodies
 * generated from their schemas (mostly fitting, often mutated), unknown ops, broken envelopes, text that is not
 * JSON, binary frames, frames over the size limit, and first frames of fresh connections (before `hello`).
 */
import fc from 'fast-check';
import { ENTRY_BODIES, ENTRY_KINDS, OPS, REQUESTS, SENDABLE_KINDS, type Op } from '../../../protocol/index.js';
import { arbitraryOf, deepValue, hugeString, mutate, wildValue, type Overrides } from './schema-arbitrary.js';

export type IdStyle = 'plain' | 'negative' | 'big';

export type Action =
  /** A request envelope with a fresh id (`idStyle` varies its form), `op` and `body`. */
  | { t: 'req'; slot: number; op: string; body: unknown; idStyle: IdStyle }
  /** A request envelope broken in one place; `freshId` puts a fresh integer id in it. */
  | { t: 'envelope'; slot: number; frame: Record<string, unknown>; freshId: boolean }
  /** Any text as a frame. */
  | { t: 'raw'; slot: number; text: string }
  | { t: 'binary'; slot: number; bytes: number[] }
  /** A frame over the server's limit: the connection must be closed with 1009. */
  | { t: 'oversize'; slot: number; pad: string }
  /** `n` valid text sends into `convId`, pipelined (past the send rate's burst: RATE_LIMITED with retryAfterMs). */
  | { t: 'burst'; slot: number; convId: string; n: number }
  /** The first frame of a fresh connection (a hello, or something else). */
  | { t: 'prehello'; frame: string };

export interface Pools {
  userIds: string[];
  convIds: string[];
  groupIds: string[];
  roomIds: string[];
  tokens: string[];
  clientMsgIds: string[];
  /** Per slot, the conversations its user can be in. */
  slotConvIds: string[][];
}

export interface ActionOptions {
  pools: Pools;
  slots: number;
  /** The server's frame limit (bytes). */
  maxFrameBytes: number;
}

/** Ops that end a group, or the owner's hold on it, drawn less often so the world stays interesting for longer. */
const RARE_OPS: ReadonlySet<string> = new Set(['group.dismiss', 'group.leave', 'group.transfer']);

export function overridesFor(pools: Pools, slot: number): Overrides {
  const user = fc.constantFrom(...pools.userIds);
  const smallSeq = fc.integer({ min: 0, max: 12 });
  return {
    userId: user,
    'userIds[]': user,
    'members[]': user,
    'mentions[]': fc.oneof(user, fc.constant('@all')),
    groupId: fc.constantFrom(...pools.groupIds),
    roomId: fc.constantFrom(...pools.roomIds),
    convId: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...(pools.slotConvIds[slot] ?? pools.convIds)) }, { weight: 1, arbitrary: fc.constantFrom(...pools.convIds) }),
    clientMsgId: fc.oneof(fc.constantFrom(...pools.clientMsgIds), fc.uuid()),
    seq: smallSeq,
    replyTo: smallSeq,
    beforeSeq: smallSeq,
    afterSeq: smallSeq,
    untilTs: fc.constantFrom(0, 1, 4_102_444_800_000),
    token: fc.constantFrom(...pools.tokens),
    // A device id of a pre-hello connection: never one of the fuzzing connections' (that would replace them).
    id: fc.uuid().map((u) => `pre-${u}`),
  };
}

/** `send` bodies: a kind (sendable or not) with a body generated from that kind's schema, or any body. */
function sendBody(overrides: Overrides): fc.Arbitrary<Record<string, unknown>> {
  const base = arbitraryOf(REQUESTS.send, overrides) as fc.Arbitrary<Record<string, unknown>>;
  const kindAndBody = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...SENDABLE_KINDS).chain((kind) => fc.tuple(fc.constant<string>(kind), arbitraryOf(ENTRY_BODIES[kind], overrides))) },
    { weight: 1, arbitrary: fc.constantFrom(...ENTRY_KINDS).chain((kind) => fc.tuple(fc.constant<string>(kind), arbitraryOf(ENTRY_BODIES[kind], overrides))) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('sticker', 'TEXT', '', 'x'.repeat(33), 'constructor', '__proto__'), fc.dictionary(fc.string({ maxLength: 6 }), wildValue, { maxKeys: 3 })) },
  );
  return fc.tuple(base, kindAndBody).map(([b, [kind, body]]) => ({ ...b, kind, body }));
}

export function bodyOf(op: Op, overrides: Overrides): fc.Arbitrary<Record<string, unknown>> {
  return op === 'send' ? sendBody(overrides) : (arbitraryOf(REQUESTS[op], overrides) as fc.Arbitrary<Record<string, unknown>>);
}

export function actionArbitrary(opts: ActionOptions): fc.Arbitrary<Action> {
  const perSlot = Array.from({ length: opts.slots }, (_, s) => actionOfSlot(opts, s));
  return fc.nat({ max: opts.slots - 1 }).chain((s) => perSlot[s]!);
}

/** The actions of one fuzzing connection (`slot`): its bodies name mostly the conversations its user is in. */
function actionOfSlot(opts: ActionOptions, slotIndex: number): fc.Arbitrary<Action> {
  const overrides = overridesFor(opts.pools, slotIndex);
  const known = [...opts.pools.userIds, ...opts.pools.groupIds];
  const slot = fc.constant(slotIndex);
  const idStyle = fc.constantFrom<IdStyle>('plain', 'plain', 'plain', 'negative', 'big');
  const ops = OPS.filter((o) => o !== 'hello');
  const validByOp = Object.fromEntries(OPS.map((op) => [op, bodyOf(op, overrides)])) as Record<Op, fc.Arbitrary<Record<string, unknown>>>;
  const opArb = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...ops.filter((o) => !RARE_OPS.has(o))) }, { weight: 1, arbitrary: fc.constantFrom(...RARE_OPS) });
  const valid = opArb.chain((op) => fc.record({ t: fc.constant('req' as const), slot, op: fc.constant<string>(op), body: validByOp[op as Op] as fc.Arbitrary<unknown>, idStyle }));
  const mutated = fc.constantFrom(...ops).chain((op) =>
    fc.record({ t: fc.constant('req' as const), slot, op: fc.constant<string>(op), body: mutate(validByOp[op], known, opts.maxFrameBytes), idStyle }),
  );
  const unknownOp = fc.record({
    t: fc.constant('req' as const),
    slot,
    op: fc.oneof(
      fc.constantFrom('hello', 'HELLO', 'Send', 'msg', 'res', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'group', 'group.', '.send', 'send ', ''),
      fc.string({ maxLength: 64 }),
    ),
    body: fc.dictionary(fc.string({ maxLength: 6 }), wildValue, { maxKeys: 3 }),
    idStyle,
  });
  const validEnvelope = { type: 'req', op: 'sync', body: {} };
  const envelope = fc.oneof(
    fc.record({ t: fc.constant('envelope' as const), slot, frame: fc.constantFrom<Record<string, unknown>>(
      { ...validEnvelope, type: 'res' },
      { ...validEnvelope, type: 'evt' },
      { ...validEnvelope, type: 'REQ' },
      { op: 'sync', body: {} },
      { ...validEnvelope, op: 17 },
      { ...validEnvelope, op: null },
      { ...validEnvelope, op: 'x'.repeat(65) },
      { ...validEnvelope, body: [] },
      { ...validEnvelope, body: 'body' },
      { ...validEnvelope, body: null },
      { ...validEnvelope, body: 5 },
    ), freshId: fc.constant(true) }),
    fc.record({
      t: fc.constant('envelope' as const),
      slot,
      frame: fc.oneof(wildValue, fc.constantFrom(1.5, '7', null, [], {}, Number.POSITIVE_INFINITY)).map((id) => ({ ...validEnvelope, id })),
      freshId: fc.constant(false),
    }),
  );
  const raw = fc.record({
    t: fc.constant('raw' as const),
    slot,
    text: fc.oneof(
      fc.string({ maxLength: 50 }),
      fc.json({ maxDepth: 2 }),
      fc.constantFrom('', ' ', 'null', '[]', '{}', '"req"', '{"type":"req","id":5,', '{"type":"req","id":5}}', '\u0000', '\ufeff{}', 'NaN', '{"__proto__":{"type":"req"}}'),
      fc.tuple(fc.integer({ min: 10, max: 20000 }), fc.constantFrom('[', '{"a":')).map(([n, open]) => open.repeat(n)),
      deepValue.map((v) => JSON.stringify({ type: 'req', id: 'deep', op: 'sync', body: { v } })),
    ),
  });
  const binary = fc.record({ t: fc.constant('binary' as const), slot, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }) });
  const oversize = fc.record({ t: fc.constant('oversize' as const), slot, pad: fc.constantFrom('y', 'é', '😀') });
  const helloBody = arbitraryOf(REQUESTS.hello, overrides) as fc.Arbitrary<Record<string, unknown>>;
  const prehello = fc.record({
    t: fc.constant('prehello' as const),
    frame: fc.oneof(
      helloBody.map((body) => JSON.stringify({ type: 'req', id: 1, op: 'hello', body })),
      mutate(helloBody, known, opts.maxFrameBytes).map((body) => JSON.stringify({ type: 'req', id: 2, op: 'hello', body })),
      bodyOf('sync', overrides).map((body) => JSON.stringify({ type: 'req', id: 3, op: 'sync', body })),
      fc.string({ maxLength: 40 }),
      hugeString(opts.maxFrameBytes).map((s) => JSON.stringify({ type: 'req', id: 4, op: 'hello', body: { token: s } })),
    ),
  });
  const burst = fc.record({
    t: fc.constant('burst' as const),
    slot,
    convId: fc.constantFrom(...(opts.pools.slotConvIds[slotIndex] ?? opts.pools.convIds)),
    n: fc.integer({ min: 2, max: 12 }),
  });
  return fc.oneof(
    { weight: 10, arbitrary: valid },
    { weight: 1, arbitrary: burst },
    { weight: 6, arbitrary: mutated },
    { weight: 1, arbitrary: unknownOp },
    { weight: 1, arbitrary: envelope },
    { weight: 1, arbitrary: raw },
    { weight: 1, arbitrary: fc.oneof({ weight: 3, arbitrary: binary }, { weight: 1, arbitrary: oversize }) },
    { weight: 1, arbitrary: prehello },
  ) as fc.Arbitrary<Action>;
}
