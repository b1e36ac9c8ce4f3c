/**
 * Remembered window bounds: a small JSON file in userData. Pure apart from the two file functions; no
 * Electron import, so it is tested in Node.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_FILE_MODE } from '../fs/private-files.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** Absent: let the window manager place (center) the window. */
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW: WindowState = { width: 1100, height: 720, maximized: false };
export const MIN_WIDTH = 720;
export const MIN_HEIGHT = 480;
/** How much of the window's title bar must be on some screen for the mouse to reach it. */
const VISIBLE_GRIP = 48;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e6;

/** The state in a parsed file, or null when it is not one (missing fields, wrong types, absurd sizes). */
export function parseWindowState(value: unknown): WindowState | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (!isInt(v.width) || !isInt(v.height) || v.width <= 0 || v.height <= 0) return null;
  const state: WindowState = { width: v.width, height: v.height, maximized: v.maximized === true };
  if (isInt(v.x) && isInt(v.y)) {
    state.x = v.x;
    state.y = v.y;
  }
  return state;
}

/**
 * Fits a remembered state to the screens there are now: at least the minimum size, at most the largest work
 * area, and placed so its top edge is reachable; a window left on a screen that is gone gets centered.
 */
export function fitWindowState(state: WindowState | null, workAreas: Rect[]): WindowState {
  const base = state ?? DEFAULT_WINDOW;
  // No screen information: nothing to fit to but the minimum.
  const maxW = workAreas.length === 0 ? Infinity : Math.max(MIN_WIDTH, ...workAreas.map((a) => a.width));
  const maxH = workAreas.length === 0 ? Infinity : Math.max(MIN_HEIGHT, ...workAreas.map((a) => a.height));
  const fitted: WindowState = {
    width: clamp(base.width, MIN_WIDTH, maxW),
    height: clamp(base.height, MIN_HEIGHT, maxH),
    maximized: base.maximized,
  };
  if (base.x === undefined || base.y === undefined) return fitted;
  const { x, y } = base;
  // The title bar must be on a screen: top edge inside it vertically, enough of it inside horizontally.
  const reachable = workAreas.some((area) => {
    const across = Math.min(x + fitted.width, area.x + area.width) - Math.max(x, area.x);
    return across >= VISIBLE_GRIP && y >= area.y && y <= area.y + area.height - VISIBLE_GRIP;
  });
  if (reachable) {
    fitted.x = x;
    fitted.y = y;
  }
  return fitted;
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(Math.max(n, min), max);
}

export function windowStateFile(userDataDir: string): string {
  return path.join(userDataDir, 'window-state.json');
}

/** The remembered state, or null when there is none or the file is unreadable (never throws). */
export async function loadWindowState(file: string): Promise<WindowState | null> {
  try {
    return parseWindowState(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return null;
  }
}

/** Writes through a temporary file and a rename, so a crash mid-write leaves the old file intact. */
export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state), { mode: PRIVATE_FILE_MODE });
  await rename(tmp, file);
}
