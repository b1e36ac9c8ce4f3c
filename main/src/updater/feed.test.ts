/**
 * The update decision against a real local HTTP server (port 0) serving real electron-builder update files:
 * newer, older, malformed, missing, failing and unreachable.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkForUpdate, decideUpdate, feedFileName, feedFileUrl } from './feed.js';
import { parseUpdateInfo } from './update-info.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => fs.readFileSync(path.join(fixtures, name), 'utf8');

/** Sites on one server, by path prefix: /<site>/<file>. */
const sites: Record<string, Record<string, string | number>> = {
  newer: { 'latest.yml': fixture('latest-newer.yml') },
  older: { 'latest.yml': fixture('latest-older.yml') },
  beta: { 'latest.yml': fixture('latest-newer.yml'), 'beta.yml': fixture('beta-newer.yml') },
  betaMalformed: { 'latest.yml': fixture('latest-newer.yml'), 'beta.yml': fixture('malformed.yml') },
  malformed: { 'latest.yml': fixture('malformed.yml') },
  noSha: { 'latest.yml': fixture('no-sha.yml') },
  mac: { 'latest-mac.yml': fixture('latest-mac.yml') },
  failing: { 'latest.yml': 503 },
  empty: {},
};

let server: http.Server;
let base: string;
const requests: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const [, site, file] = (req.url ?? '').split('/');
    const body = sites[site ?? '']?.[file ?? ''];
    if (typeof body === 'number') res.writeHead(body).end('no');
    else if (body === undefined) res.writeHead(404).end('not found');
    else res.writeHead(200, { 'Content-Type': 'text/yaml' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const check = (site: string, currentVersion: string, channel: 'stable' | 'beta' = 'stable', platform = 'win32', arch = 'x64') =>
  checkForUpdate({ feedUrl: `${base}/${site}`, channel, currentVersion, platform, arch });

describe('update files', () => {
  it('parses what electron-builder writes', () => {
    const parsed = parseUpdateInfo(fixture('latest-newer.yml'));
    expect(parsed).toMatchObject({ ok: true, info: { version: '1.3.0', releaseDate: '2025-01-02T00:00:00.000Z' } });
    expect(parsed.ok && parsed.info.files[0]).toMatchObject({ url: 'Parley-Setup-1.3.0.exe', size: 91234567 });
  });

  it('refuses files without a version, files or checksums', () => {
    expect(parseUpdateInfo(fixture('malformed.yml'))).toMatchObject({ ok: false });
    expect(parseUpdateInfo(fixture('no-sha.yml'))).toMatchObject({ ok: false, error: expect.stringContaining('sha512') });
    expect(parseUpdateInfo('version: soon\nfiles: []')).toMatchObject({ ok: false, error: 'no valid version' });
    expect(parseUpdateInfo('- a list')).toMatchObject({ ok: false });
  });

  it('names feed files as electron-builder does', () => {
    expect(feedFileName('latest', 'win32', 'arm64')).toBe('latest.yml');
    expect(feedFileName('beta', 'darwin', 'arm64')).toBe('beta-mac.yml');
    expect(feedFileName('latest', 'linux', 'x64')).toBe('latest-linux.yml');
    expect(feedFileName('latest', 'linux', 'arm64')).toBe('latest-linux-arm64.yml');
    expect(feedFileUrl('https://u.example/parley', 'latest.yml')).toBe('https://u.example/parley/latest.yml');
    expect(feedFileUrl('https://u.example/parley/', 'latest.yml')).toBe('https://u.example/parley/latest.yml');
  });
});

describe('checkForUpdate against a local server', () => {
  it('offers a newer release', async () => {
    expect(await check('newer', '1.2.0')).toMatchObject({ kind: 'update', version: '1.3.0', feed: 'latest' });
  });

  it('offers nothing when the release is older or the same', async () => {
    expect(await check('older', '1.2.0')).toEqual({ kind: 'current', latest: '1.1.0' });
    expect(await check('newer', '1.3.0')).toEqual({ kind: 'current', latest: '1.3.0' });
  });

  it('stable ignores betas; beta takes the newest of both feeds', async () => {
    expect(await check('beta', '1.2.0', 'stable')).toMatchObject({ kind: 'update', version: '1.3.0', feed: 'latest' });
    expect(await check('beta', '1.2.0', 'beta')).toMatchObject({ kind: 'update', version: '1.4.0-beta.2', feed: 'beta' });
    // A beta user gets the release that follows the beta.
    expect(await check('newer', '1.3.0-beta.4', 'beta')).toMatchObject({ kind: 'update', version: '1.3.0', feed: 'latest' });
    // No beta feed published: releases only.
    expect(await check('newer', '1.2.0', 'beta')).toMatchObject({ kind: 'update', version: '1.3.0' });
    // Leaving beta never downgrades: on 1.4.0-beta.2, stable's 1.3.0 is older.
    expect(await check('beta', '1.4.0-beta.2', 'stable')).toEqual({ kind: 'current', latest: '1.3.0' });
  });

  it('reads the platform and arch file', async () => {
    expect(await check('mac', '1.2.0', 'stable', 'darwin', 'arm64')).toMatchObject({ kind: 'update', version: '1.3.0' });
    expect(requests).toContain('/mac/latest-mac.yml');
    expect(await check('mac', '1.2.0', 'stable', 'linux', 'arm64')).toMatchObject({ kind: 'unreachable', error: expect.stringContaining('404') });
    expect(requests).toContain('/mac/latest-linux-arm64.yml');
  });

  it('reports malformed files, but a broken beta file does not hold back a release', async () => {
    expect(await check('malformed', '1.2.0')).toMatchObject({ kind: 'malformed' });
    expect(await check('noSha', '1.2.0')).toMatchObject({ kind: 'malformed', error: expect.stringContaining('sha512') });
    expect(await check('betaMalformed', '1.2.0', 'beta')).toMatchObject({ kind: 'update', version: '1.3.0' });
    expect(await check('betaMalformed', '1.3.0', 'beta')).toMatchObject({ kind: 'malformed', error: expect.stringContaining('beta') });
  });

  it('reports an unreachable server, an HTTP error and a missing feed as unreachable (retried later)', async () => {
    expect(await check('failing', '1.2.0')).toMatchObject({ kind: 'unreachable', error: expect.stringContaining('503') });
    expect(await check('empty', '1.2.0')).toMatchObject({ kind: 'unreachable', error: expect.stringContaining('404') });
    // A port nobody listens on: take one and close it.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await checkForUpdate({ feedUrl: `http://127.0.0.1:${port}/`, channel: 'stable', currentVersion: '1.2.0', platform: 'win32', arch: 'x64' });
    expect(result).toMatchObject({ kind: 'unreachable', error: expect.stringContaining('ECONNREFUSED') });
  });

  it('refuses to decide from a running version that is not one', () => {
    expect(decideUpdate('dev', 'stable', [])).toMatchObject({ kind: 'malformed' });
  });
});
