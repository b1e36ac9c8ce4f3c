/** The saved sessions on disk: the list of accounts, and the single session of earlier versions moved into it. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/server.js';
import { SessionFile, accountKey, type SecretBox } from './session-file.js';

/** Seals visibly, so a test can tell a sealed token from a plain one. */
const box: SecretBox = {
  seal: (plain) => `sealed:${Buffer.from(plain).toString('base64')}`,
  open: (sealed) => {
    if (!sealed.startsWith('sealed:')) throw new Error('not sealed by this box');
    return Buffer.from(sealed.slice(7), 'base64').toString();
  },
};

const dirs: string[] = [];
const newDir = () => {
  const dir = tempDir('sessions');
  dirs.push(dir);
  return dir;
};

afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('SessionFile', () => {
  it('moves the single session of an earlier version into the list, token still sealed, and removes the old file', () => {
    const dir = newDir();
    const legacy = path.join(dir, 'session.json');
    fs.writeFileSync(legacy, JSON.stringify({ serverUrl: 'http://127.0.0.1:8080', userId: 'alice', name: 'Alice', sealedToken: box.seal('tok-a') }));

    const loaded = new SessionFile(dir, box).loadAll();
    expect(loaded).toEqual({
      active: 'alice@127.0.0.1:8080',
      sessions: [{ serverUrl: 'http://127.0.0.1:8080', userId: 'alice', name: 'Alice', token: 'tok-a' }],
    });
    expect(fs.existsSync(legacy)).toBe(false);
    const onDisk = fs.readFileSync(path.join(dir, 'accounts.json'), 'utf8');
    expect(onDisk).not.toContain('tok-a');
    expect(JSON.parse(onDisk)).toMatchObject({ active: 'alice@127.0.0.1:8080', sessions: [{ userId: 'alice', sealedToken: box.seal('tok-a') }] });
    expect(fs.statSync(path.join(dir, 'accounts.json')).mode & 0o777).toBe(0o600);
    // Read again, from the new file: the same.
    expect(new SessionFile(dir, box).loadAll()).toEqual(loaded);
  });

  it('migrates a signed-out session as remembered (no active account), and starts empty without any file', () => {
    const dir = newDir();
    fs.writeFileSync(path.join(dir, 'session.json'), JSON.stringify({ serverUrl: 'https://chat.example', userId: 'bob', name: 'Bob' }));
    expect(new SessionFile(dir, box).loadAll()).toEqual({ active: null, sessions: [{ serverUrl: 'https://chat.example', userId: 'bob', name: 'Bob' }] });
    expect(new SessionFile(newDir(), box).loadAll()).toEqual({ active: null, sessions: [] });
  });

  it('keeps several accounts and the active one; an active key that is not signed in falls back to the first that is', () => {
    const dir = newDir();
    const file = new SessionFile(dir, box);
    const a = { serverUrl: 'http://a.example:8080', userId: 'alice', name: 'Alice', token: 'tok-a' };
    const b = { serverUrl: 'https://b.example', userId: 'alice', name: 'Alice B', token: 'tok-b' };
    const c = { serverUrl: 'https://b.example', userId: 'carol', name: 'Carol' };
    file.saveAll({ active: accountKey(b.serverUrl, b.userId), sessions: [a, b, c] });
    expect(file.loadAll()).toEqual({ active: 'alice@b.example', sessions: [a, b, c] });

    file.saveAll({ active: 'carol@b.example', sessions: [a, b, c] });
    expect(file.loadAll().active).toBe('alice@a.example:8080');
  });

  it('drops what it cannot read: a token the keychain no longer opens, entries that are not sessions', () => {
    const dir = newDir();
    fs.writeFileSync(
      path.join(dir, 'accounts.json'),
      JSON.stringify({
        active: 'alice@a.example',
        sessions: [{ serverUrl: 'https://a.example', userId: 'alice', name: 'Alice', sealedToken: 'from another keychain' }, { userId: 'x' }, 'nonsense', { serverUrl: 'not a url', userId: 'y' }],
      }),
    );
    expect(new SessionFile(dir, box).loadAll()).toEqual({ active: null, sessions: [{ serverUrl: 'https://a.example', userId: 'alice', name: 'Alice' }] });
  });
});
