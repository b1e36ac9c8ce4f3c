import { describe, expect, it } from 'vitest';
import { createWireCodec, portableBase64 } from './wire-codec.js';

const codec = createWireCodec();

describe('wire codec', () => {
  it('carries bytes of every length through JSON', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const back = codec.parse(codec.stringify({ data: bytes })) as { data: Uint8Array };
      expect(back.data).toBeInstanceOf(Uint8Array);
      expect([...back.data]).toEqual([...bytes]);
    }
  });

  it('matches Node’s base64 both ways, on a large random buffer', () => {
    const bytes = Uint8Array.from({ length: 300_001 }, () => Math.floor(Math.random() * 256));
    const encoded = portableBase64.encode(bytes);
    expect(encoded).toBe(Buffer.from(bytes).toString('base64'));
    expect(Buffer.from(portableBase64.decode(encoded)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('never mistakes user data for bytes', () => {
    const tricky = {
      custom: { $bytes: 'AAAA' },
      nested: [{ $obj: { $bytes: 'x' } }, { $bytes: 1, other: true }],
      plain: { a: 1, b: [null, 'x', { c: false }] },
    };
    expect(codec.parse(codec.stringify(tricky))).toEqual(tricky);
  });

  it('keeps bytes inside wrapped objects and arrays', () => {
    const value = { $bytes: 'not bytes', inner: new Uint8Array([1, 2, 3]), list: [new Uint8Array([4])] };
    const back = codec.parse(codec.stringify(value)) as typeof value;
    expect(back.$bytes).toBe('not bytes');
    expect([...back.inner]).toEqual([1, 2, 3]);
    expect([...back.list[0]!]).toEqual([4]);
  });

  it('never lets input set a prototype', () => {
    const back = codec.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses malformed tags and base64', () => {
    expect(() => codec.parse('{"$bytes":3}')).toThrow(TypeError);
    expect(() => codec.parse('{"$bytes":"abc"}')).toThrow(TypeError);
    expect(() => codec.parse('{"$bytes":"ab!="}')).toThrow(TypeError);
    expect(() => codec.parse('{"$bytes":"a=bc"}')).toThrow(TypeError);
    expect(() => codec.parse('{"$obj":[1]}')).toThrow(TypeError);
    expect(() => codec.parse('not json')).toThrow();
  });

  it('refuses values nested absurdly deep instead of overflowing the stack', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    expect(() => codec.parse(deep)).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => codec.stringify(cyclic)).toThrow(TypeError);
  });
});
