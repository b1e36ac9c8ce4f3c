/**
 * Windows .ico and macOS .icns written from PNG images. Both are simple containers: a directory of images.
 * ICO: 256 px and up as PNG (Vista and later), smaller sizes as 32-bit DIBs, which every Windows tool reads.
 * ICNS: PNG entries under the type codes macOS maps to each size and scale.
 */
import { decodePng } from './png.js';

export function encodeIco(pngs: Buffer[]): Buffer {
  const images = pngs.map((png) => {
    const { width, height, data } = decodePng(png);
    if (width !== height || width > 256) throw new Error(`an ICO image must be square and at most 256 px, got ${width}×${height}`);
    return { size: width, bytes: width >= 64 ? png : dib(width, data) };
  });
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach((image, i) => {
    const entry = 6 + 16 * i;
    header[entry] = image.size === 256 ? 0 : image.size; // 0 means 256
    header[entry + 1] = image.size === 256 ? 0 : image.size;
    header[entry + 2] = 0; // no palette
    header[entry + 3] = 0;
    header.writeUInt16LE(1, entry + 4); // planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(image.bytes.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += image.bytes.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.bytes)]);
}

/** BITMAPINFOHEADER, BGRA rows bottom-up, then the 1-bit AND mask (all 0: alpha decides). */
function dib(size: number, rgba: Uint8Array): Buffer {
  const maskRow = Math.ceil(size / 32) * 4;
  const out = Buffer.alloc(40 + size * size * 4 + maskRow * size);
  out.writeUInt32LE(40, 0);
  out.writeInt32LE(size, 4);
  out.writeInt32LE(size * 2, 8); // colour + mask
  out.writeUInt16LE(1, 12);
  out.writeUInt16LE(32, 14);
  out.writeUInt32LE(size * size * 4 + maskRow * size, 20);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const src = ((size - 1 - y) * size + x) * 4;
      const dst = 40 + (y * size + x) * 4;
      out[dst] = rgba[src + 2]!;
      out[dst + 1] = rgba[src + 1]!;
      out[dst + 2] = rgba[src]!;
      out[dst + 3] = rgba[src + 3]!;
    }
  }
  return out;
}

/** The ICNS type for each PNG size: 1x types, then 2x types whose pixels are twice the point size. */
export const ICNS_TYPES: Array<{ type: string; pixels: number }> = [
  { type: 'icp4', pixels: 16 },
  { type: 'icp5', pixels: 32 },
  { type: 'icp6', pixels: 64 },
  { type: 'ic07', pixels: 128 },
  { type: 'ic08', pixels: 256 },
  { type: 'ic09', pixels: 512 },
  { type: 'ic11', pixels: 32 }, // 16@2x
  { type: 'ic12', pixels: 64 }, // 32@2x
  { type: 'ic13', pixels: 256 }, // 128@2x
  { type: 'ic14', pixels: 512 }, // 256@2x
  { type: 'ic10', pixels: 1024 }, // 512@2x
];

export function encodeIcns(pngBySize: Map<number, Buffer>): Buffer {
  const entries = ICNS_TYPES.map(({ type, pixels }) => {
    const png = pngBySize.get(pixels);
    if (!png) throw new Error(`ICNS needs a ${pixels} px PNG`);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const body = Buffer.concat(entries);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + body.length, 4);
  return Buffer.concat([head, body]);
}

/** The directory of an ICNS file: type and PNG bytes of each entry (for checks). */
export function readIcns(file: Buffer): Array<{ type: string; data: Buffer }> {
  if (file.toString('latin1', 0, 4) !== 'icns' || file.readUInt32BE(4) !== file.length) throw new Error('not an ICNS file');
  const out: Array<{ type: string; data: Buffer }> = [];
  for (let offset = 8; offset < file.length; ) {
    const length = file.readUInt32BE(offset + 4);
    out.push({ type: file.toString('latin1', offset, offset + 4), data: file.subarray(offset + 8, offset + length) });
    offset += length;
  }
  return out;
}

/** The directory of an ICO file: size and format of each entry (for checks). */
export function readIco(file: Buffer): Array<{ size: number; format: 'png' | 'dib'; bytes: number }> {
  if (file.readUInt16LE(2) !== 1) throw new Error('not an ICO file');
  const count = file.readUInt16LE(4);
  return Array.from({ length: count }, (_, i) => {
    const entry = 6 + 16 * i;
    const offset = file.readUInt32LE(entry + 12);
    const bytes = file.readUInt32LE(entry + 8);
    const isPng = file.readUInt32BE(offset) === 0x89504e47;
    return { size: file[entry] === 0 ? 256 : file[entry]!, format: isPng ? 'png' : 'dib', bytes };
  });
}
