import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW, fitWindowState, loadWindowState, MIN_WIDTH, parseWindowState, saveWindowState, windowStateFile } from './window-state.js';

const screen = { x: 0, y: 0, width: 1920, height: 1040 };
const second = { x: 1920, y: 0, width: 1280, height: 1000 };

describe('window state', () => {
  it('parses only well-formed states', () => {
    expect(parseWindowState({ x: 10, y: 20, width: 800, height: 600, maximized: true })).toEqual({ x: 10, y: 20, width: 800, height: 600, maximized: true });
    expect(parseWindowState({ width: 800, height: 600 })).toEqual({ width: 800, height: 600, maximized: false });
    expect(parseWindowState({ x: 10, width: 800, height: 600 })).toEqual({ width: 800, height: 600, maximized: false });
    for (const bad of [null, 'x', [], { width: '800', height: 600 }, { width: 0, height: 600 }, { width: 1.5, height: 600 }, { width: 1e9, height: 600 }]) {
      expect(parseWindowState(bad)).toBeNull();
    }
  });

  it('keeps a window where it was when that place is still on a screen', () => {
    expect(fitWindowState({ x: 100, y: 50, width: 1000, height: 700, maximized: false }, [screen])).toEqual({ x: 100, y: 50, width: 1000, height: 700, maximized: false });
    expect(fitWindowState({ x: 2000, y: 100, width: 1000, height: 700, maximized: true }, [screen, second])).toMatchObject({ x: 2000, y: 100, maximized: true });
  });

  it('centers a window whose screen is gone or whose title bar is out of reach', () => {
    expect(fitWindowState({ x: 2000, y: 100, width: 1000, height: 700, maximized: false }, [screen])).toEqual({ width: 1000, height: 700, maximized: false });
    expect(fitWindowState({ x: 100, y: -200, width: 1000, height: 700, maximized: false }, [screen])).not.toHaveProperty('x');
    expect(fitWindowState({ x: 1900, y: 100, width: 1000, height: 700, maximized: false }, [screen])).not.toHaveProperty('x');
  });

  it('clamps sizes, and uses defaults when nothing was saved', () => {
    expect(fitWindowState({ width: 100, height: 100, maximized: false }, [screen])).toMatchObject({ width: MIN_WIDTH, height: 480 });
    expect(fitWindowState({ width: 5000, height: 5000, maximized: false }, [screen, second])).toMatchObject({ width: 1920, height: 1040 });
    expect(fitWindowState(null, [screen])).toEqual(DEFAULT_WINDOW);
    expect(fitWindowState(null, [])).toEqual(DEFAULT_WINDOW);
  });
});

describe('window state file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'parley-window-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('round-trips, and reads a missing or corrupt file as nothing', async () => {
    const file = windowStateFile(path.join(dir, 'userData'));
    expect(await loadWindowState(file)).toBeNull();
    await saveWindowState(file, { x: 1, y: 2, width: 900, height: 700, maximized: false });
    expect(await loadWindowState(file)).toEqual({ x: 1, y: 2, width: 900, height: 700, maximized: false });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ width: 900 });
    await writeFile(file, '{"width": 9');
    expect(await loadWindowState(file)).toBeNull();
  });
});
