import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentType, findStaticFile, resolveStaticPath } from './static-files.js';

describe('resolveStaticPath', () => {
  const root = path.resolve('/srv/app');
  it('maps plain paths under the root', () => {
    expect(resolveStaticPath(root, '/')).toBe(root);
    expect(resolveStaticPath(root, '/assets/app.js?v=1#x')).toBe(path.join(root, 'assets', 'app.js'));
    expect(resolveStaticPath(root, '/a%20b.png')).toBe(path.join(root, 'a b.png'));
    expect(resolveStaticPath(root, '/./x.js')).toBe(path.join(root, 'x.js'));
  });
  it('refuses anything that could leave the root', () => {
    for (const bad of [
      '/../etc/passwd',
      '/assets/../../etc/passwd',
      '/%2e%2e/etc/passwd',
      '/..%2fetc%2fpasswd',
      '/%2e%2e%5cetc',
      '/..\\etc',
      '/a%00.js',
      '/%E0%A4%A',
      '/.env',
      '/C:/Windows/win.ini',
      'relative.js',
      '//evil/../x',
    ]) {
      const resolved = resolveStaticPath(root, bad);
      expect(resolved === null || resolved.startsWith(root + path.sep), bad).toBe(true);
      if (bad.includes('..') || bad.includes('%2e') || bad.includes('%00') || bad.includes('\\')) expect(resolved, bad).toBeNull();
    }
  });
});

describe('contentType', () => {
  it('names the types a renderer build contains', () => {
    expect(contentType('index.html')).toBe('text/html; charset=utf-8');
    expect(contentType('a.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentType('a.css')).toBe('text/css; charset=utf-8');
    expect(contentType('a.svg')).toBe('image/svg+xml');
    expect(contentType('a.woff2')).toBe('font/woff2');
    expect(contentType('noext')).toBe('application/octet-stream');
  });
});

describe('findStaticFile', () => {
  let dir: string;
  let root: string;
  beforeAll(async () => {
    dir = await realpath(await mkdtemp(path.join(tmpdir(), 'parley-static-')));
    root = path.join(dir, 'root');
    await mkdir(path.join(root, 'sub'), { recursive: true });
    await mkdir(path.join(dir, 'outside'));
    await writeFile(path.join(root, 'index.html'), '<html></html>');
    await writeFile(path.join(root, 'sub', 'index.html'), 'sub');
    await writeFile(path.join(root, 'app.js'), 'x');
    await writeFile(path.join(dir, 'outside', 'secret.txt'), 'secret');
    await symlink(path.join(dir, 'outside'), path.join(root, 'link'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds files, directory indexes and falls back to index.html for routes', async () => {
    expect((await findStaticFile(root, '/app.js'))?.file).toBe(path.join(root, 'app.js'));
    expect((await findStaticFile(root, '/sub/'))?.file).toBe(path.join(root, 'sub', 'index.html'));
    expect((await findStaticFile(root, '/chats/g:team'))).toBeNull();
    expect((await findStaticFile(root, '/chats/team'))?.file).toBe(path.join(root, 'index.html'));
    expect(await findStaticFile(root, '/missing.js')).toBeNull();
  });
  it('does not follow symlinks out of the root', async () => {
    expect(await findStaticFile(root, '/link/secret.txt')).toBeNull();
  });
});
