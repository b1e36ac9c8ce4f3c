/**
 * fast-check arbitraries from protocol/'s TypeBox schemas, for the protocol fuzzer: values that fit a schema (the
 * shapes protocol/ uses: objects, strings with patterns and lengths, integers and numbers with bounds, literals,
 * unions, arrays, records, and its custom kinds), biased towards the ids a test world holds, and mutations of them
 * that do not fit (a field dropped, a wrong type, out of range, huge, extra fields, deep nesting).
 */
import fc from 'fast-check';
import { Kind, OptionalKind, type TSchema } from '@sinclair/typebox';

/** Values the generator prefers for a property of this name (ids that exist in the world, seqs that exist). */
export type Overrides = Partial<Record<string, fc.Arbitrary<unknown>>>;

/** Any JSON value, of any type: the "wrong type" of a mutation. */
export const wildValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-1, 0, -0, 1.5, 2 ** 31, 2 ** 53, -(2 ** 53), 1e300, -1e300, Number.MAX_SAFE_INTEGER + 2),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '__proto__', 'constructor', '😀', '\ud800', 'null', '0', 'true'),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** A value nested `depth` levels deep, in arrays or objects. */
export function nested(depth: number, inObjects: boolean): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = inObjects ? { a: v } : [v];
  return v;
}

/** A deep value: hundreds to thousands of levels (the parser, validators and JSON writers must cope). */
export const deepValue: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 50, max: 3000 }), fc.boolean())
  .map(([depth, inObjects]) => nested(depth, inObjects));

/** A long string, within a frame limit of `maxBytes` (the frame must still fit). */
export function hugeString(maxBytes: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: 1000, max: Math.max(1000, Math.floor(maxBytes / 4)) }), fc.constantFrom('a', 'é', '😀', '\ud800', '字', ' ', '\\"'))
    .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)));
}

interface StringSchema {
  pattern?: string;
  minLength?: number;
  maxLength?: number;
}

function stringArb(s: StringSchema): fc.Arbitrary<string> {
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 40, min + 40);
  return fc.string({ minLength: min, maxLength: max, unit: fc.constantFrom('grapheme', 'binary-ascii', 'grapheme-ascii') as never });
}

function codePointString(min: number, max: number): fc.Arbitrary<string> {
  const cap = Math.min(max, min + 40);
  return fc.oneof(
    fc.string({ minLength: min, maxLength: cap, unit: 'grapheme' }),
    fc.string({ minLength: min, maxLength: cap, unit: 'binary' }),
    // Exactly at the limit, in astral characters (two UTF-16 units, one code point each).
    fc.constant('😀'.repeat(max)),
  );
}

function integerArb(s: { minimum?: number; maximum?: number }): fc.Arbitrary<number> {
  const min = s.minimum ?? -(2 ** 31);
  const max = s.maximum ?? 2 ** 31;
  // Small values are where the world's seqs are; the bounds themselves are where off-by-ones are.
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: Math.max(min, 0), max: Math.min(max, Math.max(min, 0) + 30) }) },
    { weight: 1, arbitrary: fc.integer({ min, max }) },
    { weight: 1, arbitrary: fc.constantFrom(min, max) },
  );
}

function numberArb(s: { minimum?: number; maximum?: number }): fc.Arbitrary<number> {
  return fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true });
}

/** Values that fit `schema` (as protocol/'s validators judge it), with `overrides` mixed in by property name. */
export function arbitraryOf(schema: TSchema, overrides: Overrides = {}, key?: string): fc.Arbitrary<unknown> {
  const preferred = key !== undefined ? overrides[key] : undefined;
  const base = structural(schema, overrides, key);
  return preferred ? fc.oneof({ weight: 3, arbitrary: preferred }, { weight: 1, arbitrary: base }) : base;
}

/** `key` names the property (`userIds[]` for the items of `userIds`), for the overrides. */
function structural(schema: TSchema, overrides: Overrides, key?: string): fc.Arbitrary<unknown> {
  const s = schema as TSchema & Record<string, unknown>;
  switch (s[Kind]) {
    case 'Object': {
      const props = (s.properties ?? {}) as Record<string, TSchema>;
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      const required: string[] = [];
      for (const [k, p] of Object.entries(props)) {
        record[k] = arbitraryOf(p, overrides, k);
        if ((p as unknown as Record<symbol, unknown>)[OptionalKind] !== 'Optional') required.push(k);
      }
      return fc.record(record, { requiredKeys: required });
    }
    case 'String':
      return stringArb(s as StringSchema);
    case 'Integer':
      return integerArb(s as { minimum?: number; maximum?: number });
    case 'Number':
      return numberArb(s as { minimum?: number; maximum?: number });
    case 'Boolean':
      return fc.boolean();
    case 'Null':
      return fc.constant(null);
    case 'Literal':
      return fc.constant(s.const);
    case 'Union':
      return fc.oneof(...(s.anyOf as TSchema[]).map((x) => structural(x, overrides, key)));
    case 'Array': {
      const items = s.items as TSchema;
      const min = (s.minItems as number | undefined) ?? 0;
      const most = (s.maxItems as number | undefined) ?? min + 10;
      const item = arbitraryOf(items, overrides, `${key ?? ''}[]`);
      return fc.oneof(
        { weight: 6, arbitrary: fc.array(item, { minLength: min, maxLength: Math.min(most, min + 6) }) },
        // At the maximum: the most an op takes.
        { weight: 1, arbitrary: fc.array(item, { minLength: most, maxLength: most }) },
      );
    }
    case 'Record':
    case 'Unknown':
      return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
    case 'CodePointString':
      return codePointString((s.minCodePoints as number | undefined) ?? 0, s.maxCodePoints as number);
    case 'CanonicalConvId':
      return overrides.convId ?? fc.constantFrom('g:nothing', 'r:nothing', 'p:a|b');
    case 'BoundedJson':
      return fc.oneof(fc.jsonValue({ maxDepth: 3 }), deepValue.filter((v) => JSON.stringify(v).length <= (s.maxBytes as number)));
    default:
      throw new Error(`schema-arbitrary: no arbitrary for kind ${String(s[Kind])}`);
  }
}

/** Ids that are not canonical or not ids at all, for any id or conversation-id field. */
export function badIds(known: readonly string[]): fc.Arbitrary<string> {
  const some = known.length > 0 ? fc.constantFrom(...known) : fc.constant('alice');
  return fc.oneof(
    fc.constantFrom('', ' ', 'a b', '../etc', 'a/b', 'é', 'a'.repeat(65), 'g:', 'r:', 'p:', 'p:|', 'p:a|', 'x:foo', 'G:g1', 'g:a b', 'p:a|a', 'p:b|a'),
    fc.tuple(some, some).map(([a, b]) => (a < b ? `p:${b}|${a}` : `p:${a}|${b}`)), // reversed (or a user with itself)
    some.map((id) => ` ${id}`),
    some.map((id) => `${id}\u0000`),
    some.map((id) => id.toUpperCase()),
    some.map((id) => `g:${id}/..`),
    fc.string({ maxLength: 70 }),
  );
}

/** A mutation of a valid body: each one makes the body break its schema, or tests what the schema allows. */
export function mutate(body: fc.Arbitrary<Record<string, unknown>>, known: readonly string[], maxBytes: number): fc.Arbitrary<unknown> {
  const mutations: Array<fc.Arbitrary<unknown>> = [
    // Drop a field.
    fc.tuple(body, fc.nat()).map(([b, n]) => {
      const keys = Object.keys(b);
      if (keys.length === 0) return { ...b, extra: 1 };
      const copy = { ...b };
      delete copy[keys[n % keys.length]!];
      return copy;
    }),
    // A field of the wrong type, or a deep value, or a huge string.
    fc.tuple(body, fc.nat(), fc.oneof({ weight: 6, arbitrary: wildValue }, { weight: 1, arbitrary: deepValue }, { weight: 1, arbitrary: hugeString(maxBytes) })).map(([b, n, v]) => {
      const keys = Object.keys(b);
      if (keys.length === 0) return { v };
      return { ...b, [keys[n % keys.length]!]: v };
    }),
    // An id field that is not canonical or not an id.
    fc.tuple(body, badIds(known)).map(([b, bad]) => {
      const key = ['convId', 'groupId', 'roomId', 'userId', 'clientMsgId'].find((k) => k in b);
      if (key) return { ...b, [key]: bad };
      if ('userIds' in b) return { ...b, userIds: [bad] };
      return { ...b, convId: bad };
    }),
    // Extra fields, including names that mean something to JavaScript objects.
    fc.tuple(body, fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'extra', ''), wildValue).map(([b, k, v]) => {
      const copy: Record<string, unknown> = { ...b };
      Object.defineProperty(copy, k, { value: v, enumerable: true, configurable: true, writable: true });
      return copy;
    }),
    // Numbers out of range in every numeric field.
    fc.tuple(body, fc.constantFrom(-1, 0, 1.5, -0.5, 2 ** 53, 1e308, -1e308, 2 ** 31, Number.MIN_VALUE)).map(([b, n]) => {
      const copy: Record<string, unknown> = { ...b };
      for (const [k, v] of Object.entries(copy)) if (typeof v === 'number') copy[k] = n;
      return copy;
    }),
  ];
  return fc.oneof(...mutations);
}
