/** `npm start` where Electron can't run: host mode against the local server, both stopped cleanly. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launch } from './run-launcher.js';

const root = path.resolve(import.meta.dirname, '../../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-launch-'));
// Unit tests run before the renderer is built: host mode serves a stand-in page.
const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-launch-ui-'));
fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Parley</title>');
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(staticDir, { recursive: true, force: true });
});

describe('launch', () => {
  it('says in one line why Electron is not used, then serves host mode pointed at the local server', async () => {
    const lines: string[] = [];
    const launched = await launch({
      root,
      port: 0,
      dataDir,
      forceHost: false,
      uiPort: 0,
      rebuild: false,
      skipBuild: true,
      staticDir,
      env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '', ELECTRON_OVERRIDE_DIST_PATH: path.join(dataDir, 'no-electron') },
      say: (line) => lines.push(line),
    });
    try {
      expect(launched.mode.kind).toBe('host');
      expect(lines.filter((l) => l.startsWith("Electron can't run here:"))).toHaveLength(1);
      expect(lines.find((l) => l.startsWith('server: '))).toContain(launched.server.url);
      const hostUrl = new URL(launched.hostUrl!);
      expect(hostUrl.searchParams.get('server')).toBe(launched.server.url);
      expect(lines).toContain(`parley host ready: ${launched.hostUrl}`);
      expect(launched.dirs.server).toBe(path.join(dataDir, 'server'));
      expect((await fetch(`${launched.server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${hostUrl.origin}/`)).status).toBeLessThan(500);
    } finally {
      await launched.stop();
    }
    await expect(fetch(`${launched.server.url}/healthz`)).rejects.toThrow();
  });
});
