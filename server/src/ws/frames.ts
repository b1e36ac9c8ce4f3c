/** WebSocket framing of server-to-client text frames (RFC 6455 §5.2), for sending one encoding to many sockets. */

/** The frames as unmasked, unfragmented text frames, back to back: identical bytes for every connection. */
export function encodeTextFrames(payloads: readonly Buffer[]): Buffer {
  let total = 0;
  for (const p of payloads) total += headerLength(p.length) + p.length;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const p of payloads) {
    const n = p.length;
    out[at++] = 0x81; // FIN + opcode 1 (text)
    if (n < 126) {
      out[at++] = n;
    } else if (n < 65536) {
      out[at++] = 126;
      out.writeUInt16BE(n, at);
      at += 2;
    } else {
      out[at++] = 127;
      out.writeBigUInt64BE(BigInt(n), at);
      at += 8;
    }
    at += p.copy(out, at);
  }
  return out;
}

function headerLength(n: number): number {
  return n < 126 ? 2 : n < 65536 ? 4 : 10;
}
