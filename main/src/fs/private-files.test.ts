import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareLogFile } from '../electron/log-file.js';
import { CoreFixture, call, signUp } from '../test-support/cores.js';
import { startTestServer, tempDir, until, type TestServer } from '../test-support/server.js';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

let server: TestServer;
const fixture = new CoreFixture();
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await fixture.cleanup();
  await server.destroy();
});

describe.skipIf(process.platform === 'win32')('what the app keeps on disk (skipped on Windows: it has ACLs, not modes)', () => {
  it('is readable by the user alone: folders 0700, files 0600', async () => {
    const dataDir = tempDir('private');
    fs.chmodSync(dataDir, 0o755); // as a fresh profile folder may be
    const core = fixture.newCore(dataDir);
    await signUp(core, server, 'alice');
    await call(core, 'settings.set', { theme: 'dark' });
    const account = path.join(dataDir, 'accounts', fs.readdirSync(path.join(dataDir, 'accounts'))[0]!);
    await until(() => fs.existsSync(path.join(account, 'parley.db-wal')), 5000, 'the WAL');

    for (const dir of [dataDir, path.join(dataDir, 'accounts'), account, path.join(account, 'file-cache'), path.join(account, 'outbox-files')]) {
      expect(mode(dir), dir).toBe(0o700);
    }
    for (const file of ['accounts.json', 'settings.json'].map((f) => path.join(dataDir, f))) expect(mode(file), file).toBe(0o600);
    for (const file of ['parley.db', 'parley.db-wal', 'parley.db-shm'].map((f) => path.join(account, f))) expect(mode(file), file).toBe(0o600);
  });

  it('the desktop log file too', () => {
    const logs = path.join(tempDir('logs'), 'logs');
    const file = prepareLogFile(logs);
    expect(mode(logs)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
  });
});
