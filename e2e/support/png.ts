/** PNG files made in the tests themselves (no fixtures on disk): an RGB image from its scanlines. */
import zlib from 'node:zlib';

/**
 * An 8-bit RGB PNG of `width` × `height` whose pixel rows are `rows(y)` (width × 3 bytes each, filter 0), compressed at
 * `level` (0: stored, so its size is about width × height × 3 bytes).
 */
export function rgbPng(width: number, height: number, rows: (y: number) => Uint8Array, level = zlib.constants.Z_DEFAULT_COMPRESSION): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const scanlines: Uint8Array[] = [];
  for (let y = 0; y < height; y++) scanlines.push(Buffer.from([0]), rows(y));
  const pixels = zlib.deflateSync(Buffer.concat(scanlines), { level });
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}
