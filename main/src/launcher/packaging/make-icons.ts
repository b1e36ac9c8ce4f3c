/**
 * `npm run icons`: writes every icon the packages need into build/ from icon-art.ts. The outputs are
 * committed; run this again only after changing the art.
 *
 *   build/icon.svg                  the source shapes as SVG
 *   build/icons/png/<n>x<n>.png     16 … 1024 (Linux icon set; every other file is made from these)
 *   build/icons/icon.png            1024 px (window icon, fallback)
 *   build/icons/icon.ico            Windows: 16, 24, 32, 48, 64, 128, 256
 *   build/icons/icon.icns           macOS: 16 … 1024, 1x and 2x
 *   build/icons/tray.png, tray@2x.png   the tray (16 and 32 px)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeIcns, encodeIco } from './icon-containers.js';
import { iconSvg, renderIcon } from './icon-art.js';
import { encodePng } from './png.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

export const PNG_SIZES = [16, 24, 32, 48, 64, 96, 128, 256, 512, 1024];
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];

export function makeIcons(buildDir: string): string[] {
  const written: string[] = [];
  const write = (file: string, data: string | Buffer) => {
    const target = path.join(buildDir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, data);
    written.push(file);
  };
  const pngs = new Map(PNG_SIZES.map((size) => [size, encodePng(renderIcon(size))]));
  write('icon.svg', iconSvg());
  for (const [size, png] of pngs) write(`icons/png/${size}x${size}.png`, png);
  write('icons/icon.png', pngs.get(1024)!);
  write('icons/icon.ico', encodeIco(ICO_SIZES.map((s) => pngs.get(s)!)));
  write('icons/icon.icns', encodeIcns(pngs));
  write('icons/tray.png', pngs.get(16)!);
  write('icons/tray@2x.png', pngs.get(32)!);
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const buildDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../build');
  for (const file of makeIcons(buildDir)) say(`wrote build/${file}`);
}
