import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { autostartCommand, autostartFile, setLinuxAutostart } from './autostart-linux.js';

describe('Linux autostart', () => {
  it('writes and removes an XDG autostart entry for this copy', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-home-'));
    const options = { env: { APPIMAGE: '/home/ann/Apps/Parley-1.2.0-x64.AppImage' }, home, execPath: '/tmp/.mount_x/parley' };
    setLinuxAutostart(true, options);
    const file = autostartFile({}, home);
    expect(file).toBe(path.join(home, '.config', 'autostart', 'parley.desktop'));
    expect(fs.readFileSync(file, 'utf8')).toContain('Exec="/home/ann/Apps/Parley-1.2.0-x64.AppImage" --hidden');
    setLinuxAutostart(false, options);
    expect(fs.existsSync(file)).toBe(false);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('quotes the command', () => {
    expect(autostartCommand({}, '/opt/Parley/parley')).toBe('"/opt/Parley/parley"');
    expect(autostartCommand({}, '/opt/a "b"/$x')).toBe('"/opt/a \\"b\\"/\\$x"');
  });
});
