/** Whether the Electron app can run here, decided without `require('electron')` (which would try to download). */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './processes.js';

export type ElectronAvailability = { ok: true; binary: string; main: string } | { ok: false; reason: string };

export function electronAvailability(): ElectronAvailability {
  const pkg = path.join(ROOT, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (!fs.existsSync(pathFile)) return { ok: false, reason: 'Electron binary not installed (node_modules/electron/path.txt missing; its download host is unreachable here)' };
  const binary = path.join(pkg, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  if (!fs.existsSync(binary)) return { ok: false, reason: `Electron binary missing at ${binary}` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { ok: false, reason: 'no display (DISPLAY/WAYLAND_DISPLAY unset) for the Electron window' };
  const main = path.join(ROOT, 'out', 'main', 'main.cjs');
  if (!fs.existsSync(main)) return { ok: false, reason: 'the Electron main bundle (out/main/main.cjs) is not built' };
  return { ok: true, binary, main };
}
