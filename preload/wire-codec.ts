/**
 * JSON with bytes, for host mode's WebSocket: the contract carries Uint8Array (sendFile, files.read) which JSON
 * cannot. A Uint8Array becomes `{"$bytes": "<base64>"}`; a plain object that itself has a `$bytes` or `$obj`
 * key is wrapped as `{"$obj": {...}}`, so user data (a custom message's JSON) can never be mistaken for bytes.
 * Used by both ends (the browser bridge and the Node host), so the encoding is symmetric by construction.
 * Pure: no Node, no DOM.
 */

const BYTES = '$bytes';
const OBJ = '$obj';
const MAX_DEPTH = 200;

export interface Base64 {
  encode(bytes: Uint8Array): string;
  decode(text: string): Uint8Array;
}

export interface WireCodec {
  stringify(value: unknown): string;
  /** Throws on text that is not JSON or holds malformed tags. */
  parse(text: string): unknown;
}

export function createWireCodec(base64: Base64 = portableBase64): WireCodec {
  const toWire = (value: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new TypeError('value nested too deeply');
    if (value instanceof Uint8Array) return { [BYTES]: base64.encode(value) };
    if (Array.isArray(value)) return value.map((v) => toWire(v, depth + 1));
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) define(out, key, toWire(v, depth + 1));
    return BYTES in value || OBJ in value ? { [OBJ]: out } : out;
  };

  const fromWire = (value: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new TypeError('value nested too deeply');
    if (Array.isArray(value)) return value.map((v) => fromWire(v, depth + 1));
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && keys[0] === BYTES) {
      const text = record[BYTES];
      if (typeof text !== 'string') throw new TypeError('malformed bytes');
      return base64.decode(text);
    }
    let source = record;
    if (keys.length === 1 && keys[0] === OBJ) {
      const inner = record[OBJ];
      if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) throw new TypeError('malformed object');
      source = inner as Record<string, unknown>;
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(source)) define(out, key, fromWire(v, depth + 1));
    return out;
  };

  return {
    stringify: (value) => JSON.stringify(toWire(value, 0)),
    parse: (text) => fromWire(JSON.parse(text), 0),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** An own property even for `__proto__`, so parsed input can never change an object's prototype. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/** Standard base64 (with padding) in plain JavaScript, for the browser side; Node passes Buffer's instead. */
export const portableBase64: Base64 = {
  encode(bytes) {
    const parts: string[] = [];
    const chunk = 3 * 4096;
    for (let start = 0; start < bytes.length; start += chunk) {
      const end = Math.min(start + chunk, bytes.length);
      const codes: number[] = [];
      let i = start;
      for (; i + 2 < end; i += 3) {
        const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
        codes.push(sym(n >> 18), sym(n >> 12), sym(n >> 6), sym(n));
      }
      if (i < end) {
        const rest = end - i;
        const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
        codes.push(sym(n >> 18), sym(n >> 12), rest === 2 ? sym(n >> 6) : 61, 61);
      }
      parts.push(String.fromCharCode(...codes));
    }
    return parts.join('');
  },
  decode(text) {
    if (text.length % 4 !== 0) throw new TypeError('malformed base64');
    const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
    const out = new Uint8Array((text.length / 4) * 3 - padding);
    let o = 0;
    for (let i = 0; i < text.length; i += 4) {
      const last = i + 4 === text.length;
      const a = val(text, i);
      const b = val(text, i + 1);
      const c = last && padding === 2 ? 0 : val(text, i + 2);
      const d = last && padding >= 1 ? 0 : val(text, i + 3);
      const n = (a << 18) | (b << 12) | (c << 6) | d;
      out[o++] = (n >> 16) & 0xff;
      if (o < out.length) out[o++] = (n >> 8) & 0xff;
      if (o < out.length) out[o++] = n & 0xff;
    }
    return out;
  },
};

function sym(n: number): number {
  return ALPHABET.charCodeAt(n & 63);
}

function val(text: string, i: number): number {
  const code = text.charCodeAt(i);
  const v = code < 128 ? LOOKUP[code]! : -1;
  if (v < 0) throw new TypeError('malformed base64');
  return v;
}
