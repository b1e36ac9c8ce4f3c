/**
 * Custom TypeBox kinds for the limits docs/protocol.md states in units JSON Schema does not have:
 * text counted in Unicode code points, and JSON values bounded by their serialized size.
 */
import { Kind, TypeRegistry, Type, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { codePointLength, parseConvId } from './ids.js';

interface CodePointStringSchema extends TSchema {
  minCodePoints?: number;
  maxCodePoints: number;
}

interface BoundedJsonSchema extends TSchema {
  maxBytes: number;
}

if (!TypeRegistry.Has('CodePointString')) {
  TypeRegistry.Set<CodePointStringSchema>('CodePointString', (schema, value) => {
    if (typeof value !== 'string') return false;
    const n = codePointLength(value);
    return n >= (schema.minCodePoints ?? 0) && n <= schema.maxCodePoints;
  });
}

/** Bytes of `text` in UTF-8 (a lone surrogate counts as U+FFFD, three bytes, as TextEncoder writes it). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

if (!TypeRegistry.Has('BoundedJson')) {
  TypeRegistry.Set<BoundedJsonSchema>('BoundedJson', (schema, value) => {
    if (value === undefined) return false;
    try {
      return utf8Length(JSON.stringify(value)) <= schema.maxBytes;
    } catch {
      return false;
    }
  });
}

if (!TypeRegistry.Has('CanonicalConvId')) {
  TypeRegistry.Set('CanonicalConvId', (_schema, value) => typeof value === 'string' && parseConvId(value) !== null);
}

/** A conversation id in canonical form (`p:<a>|<b>` needs a < b, which no pattern can say). */
export function CanonicalConvId(): TUnsafe<string> {
  return Type.Unsafe<string>({ [Kind]: 'CanonicalConvId', type: 'string', description: 'canonical conversation id' });
}

/** A string of `min`..`max` Unicode code points. */
export function CodePointString(max: number, min = 0): TUnsafe<string> {
  return Type.Unsafe<string>({ [Kind]: 'CodePointString', type: 'string', minCodePoints: min, maxCodePoints: max });
}

/** Any JSON value whose UTF-8 serialization is at most `maxBytes`. */
export function BoundedJson(maxBytes: number): TUnsafe<unknown> {
  return Type.Unsafe<unknown>({ [Kind]: 'BoundedJson', maxBytes });
}
