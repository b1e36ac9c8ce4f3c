import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIcns, encodeIco, readIcns, readIco } from './icon-containers.js';
import { iconSvg, renderIcon } from './icon-art.js';
import { crc32, decodePng, encodePng } from './png.js';

describe('PNG', () => {
  it('round-trips RGBA and uses the standard CRC', () => {
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
    const image = { width: 3, height: 2, data: Uint8Array.from({ length: 24 }, (_, i) => i * 10) };
    expect(decodePng(encodePng(image))).toEqual(image);
  });
});

describe('the icon art', () => {
  it('is a tile with transparent corners and a white bubble in the middle', () => {
    const { data, width } = renderIcon(64);
    const at = (x: number, y: number) => Array.from(data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4));
    expect(at(0, 0)[3]).toBe(0);
    expect(at(32, 38)).toEqual([255, 255, 255, 255]); // inside the bubble, below the dots
    expect(at(32, 56)[3]).toBe(255); // the tile
    expect(iconSvg()).toContain('<svg');
  });

  it('matches the committed PNGs (regenerate with npm run icons)', () => {
    const root = path.resolve(import.meta.dirname, '../../../..');
    for (const size of [16, 32, 64]) {
      expect(encodePng(renderIcon(size)).equals(fs.readFileSync(path.join(root, `build/icons/png/${size}x${size}.png`))), `${size}`).toBe(true);
    }
  });
});

describe('icon containers', () => {
  const pngs = new Map([16, 24, 32, 48, 64, 128, 256, 512, 1024].map((s) => [s, encodePng({ width: s, height: s, data: new Uint8Array(s * s * 4).fill(200) })]));

  it('writes an ICO Windows reads: small sizes as DIBs with their mask, large as PNG', () => {
    const ico = encodeIco([16, 48, 256].map((s) => pngs.get(s)!));
    expect(readIco(ico)).toEqual([
      { size: 16, format: 'dib', bytes: 40 + 16 * 16 * 4 + 4 * 16 },
      { size: 48, format: 'dib', bytes: 40 + 48 * 48 * 4 + 8 * 48 },
      { size: 256, format: 'png', bytes: pngs.get(256)!.length },
    ]);
    expect(() => encodeIco([pngs.get(512)!])).toThrow(/256/);
  });

  it('writes an ICNS whose lengths add up', () => {
    const icns = encodeIcns(pngs);
    const entries = readIcns(icns);
    expect(entries.find((e) => e.type === 'ic10')?.data.equals(pngs.get(1024)!)).toBe(true);
    expect(() => encodeIcns(new Map([[16, pngs.get(16)!]]))).toThrow(/needs/);
  });
});
