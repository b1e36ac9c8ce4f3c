import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../ipc/dispatcher.js';
import { CoreFixture, TEST_ADMIN, admin, call, nextEvent, signUp as signUpOn } from '../test-support/cores.js';
import { startTestServer, until, type TestServer } from '../test-support/server.js';
import type { ClientCore } from './client-core.js';

let server: TestServer;
const fixture = new CoreFixture();
const signUp = (core: ClientCore, userId: string): Promise<void> => signUpOn(core, server, userId);
const conv = 'p:alice|bob';

beforeEach(async () => {
  server = await startTestServer({ ...TEST_ADMIN });
});

afterEach(async () => {
  await fixture.cleanup();
  await server.destroy();
});

/** A real picture: 300×200, left half red, right half blue. */
function picture(format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const half = (r: number, b: number) => ({ create: { width: 150, height: 200, channels: 3 as const, background: { r, g: 0, b } } });
  const image = sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 0, g: 0, b: 0 } } }).composite([
    { input: { ...half(255, 0) }, left: 0, top: 0 },
    { input: { ...half(0, 255) }, left: 150, top: 0 },
  ]);
  return (format === 'png' ? image.png() : image.jpeg()).toBuffer();
}

/** Two users who share a private chat, so each hears of the other's profile. */
async function pair(): Promise<{ alice: ClientCore; bob: ClientCore }> {
  const alice = fixture.newCore();
  const bob = fixture.newCore();
  await signUp(alice, 'alice');
  await signUp(bob, 'bob');
  await call(alice, 'messages.send', { convId: conv, kind: 'text', body: { text: 'hi' } });
  await until(() => bob.current!.store.getConversation(conv) !== null, 5000, 'bob has the chat');
  return { alice, bob };
}

describe('the session name', () => {
  it('is the name the server has after signing in again, not the user id', async () => {
    const core = fixture.newCore();
    const password = 'correct horse battery';
    await call(core, 'auth.register', { serverUrl: server.url, userId: 'ada', password, name: 'Ada Wong' });
    expect(await call(core, 'session.get', {})).toMatchObject({ name: 'Ada Wong' });
    await call(core, 'auth.logout', {});

    const named = nextEvent(core, 'session:changed', (s) => s.state === 'signed-in' && s.name === 'Ada Wong');
    await call(core, 'auth.login', { serverUrl: server.url, userId: 'ada', password });
    await named;
    expect(await call(core, 'session.get', {})).toMatchObject({ state: 'signed-in', userId: 'ada', name: 'Ada Wong' });
    expect(await call(core, 'profile.get', {})).toEqual({ userId: 'ada', name: 'Ada Wong', status: '' });
  });
});

describe('profiles', () => {
  it('a new name and status line reach the other user (users:changed, the chat renamed) and the session', async () => {
    const { alice, bob } = await pair();
    const seen = nextEvent(bob, 'users:changed', ({ users }) => users.some((u) => u.userId === 'alice' && u.name === 'Alice Chen'));
    const renamed = nextEvent(bob, 'conversations:changed', ({ conversations }) => conversations.some((c) => c.convId === conv && c.title === 'Alice Chen'));
    const session = nextEvent(alice, 'session:changed', (s) => s.name === 'Alice Chen');

    const profile = await call(alice, 'profile.update', { name: 'Alice Chen', status: 'in Shanghai this week' });
    expect(profile).toEqual({ userId: 'alice', name: 'Alice Chen', status: 'in Shanghai this week' });

    expect((await seen).users.find((u) => u.userId === 'alice')).toMatchObject({ name: 'Alice Chen', status: 'in Shanghai this week', online: true });
    await renamed;
    await session;
    expect(await call(bob, 'users.get', { userIds: ['alice'] })).toMatchObject({ users: [{ name: 'Alice Chen', status: 'in Shanghai this week' }] });
  });

  it('follows a change made on another device of the user (profile:changed)', async () => {
    const { alice } = await pair();
    const phone = fixture.newCore();
    await call(phone, 'auth.login', { serverUrl: server.url, userId: 'alice', password: 'correct horse battery' });
    await until(() => phone.current?.conn.online === true, 5000, 'second device online');
    const changed = nextEvent(alice, 'profile:changed', (p) => p.status === 'on the phone');
    await call(phone, 'profile.update', { status: 'on the phone' });
    expect(await changed).toEqual({ userId: 'alice', name: 'ALICE', status: 'on the phone' });
    expect(await call(alice, 'profile.get', {})).toMatchObject({ status: 'on the phone' });
  });

  it('uploads an avatar with a crop; avatars.read gives everyone the 96 px and 512 px squares, cached on disk', async () => {
    const { alice, bob } = await pair();
    const seen = nextEvent(bob, 'users:changed', ({ users }) => users.some((u) => u.userId === 'alice' && u.avatar !== undefined));
    // The right half of the picture: blue.
    const profile = await call(alice, 'profile.setAvatar', { data: new Uint8Array(await picture()), mime: 'image/png', crop: { x: 150, y: 0, size: 150 } });
    expect(profile.avatar).toMatch(/^\/v1\/avatars\/[A-Za-z0-9_-]+$/);
    const avatar = (await seen).users.find((u) => u.userId === 'alice')!.avatar!;
    expect(avatar).toBe(profile.avatar);

    const list = await call(bob, 'avatars.read', { avatar, size: 'list' });
    expect(list.mime).toMatch(/^image\//);
    const meta = await sharp(Buffer.from(list.bytes)).metadata();
    expect([meta.width, meta.height]).toEqual([96, 96]);
    const { data } = await sharp(Buffer.from(list.bytes)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const [r, , b] = [data[48 * 96 * 3], data[48 * 96 * 3 + 1], data[48 * 96 * 3 + 2]];
    expect(b).toBeGreaterThan(200);
    expect(r).toBeLessThan(60);
    const large = await call(bob, 'avatars.read', { avatar, size: 'profile' });
    expect((await sharp(Buffer.from(large.bytes)).metadata()).width).toBe(512);

    // Kept on disk in bob's account directory: shown again without the server.
    expect(bob.current!.profile.avatars.size).toBeGreaterThanOrEqual(list.bytes.byteLength + large.bytes.byteLength);
    await server.close();
    await until(() => bob.current!.conn.state.state !== 'online', 5000, 'bob offline');
    expect(Buffer.from((await call(bob, 'avatars.read', { avatar, size: 'list' })).bytes).equals(Buffer.from(list.bytes))).toBe(true);
  });

  it('removes the avatar', async () => {
    const { alice, bob } = await pair();
    await call(alice, 'profile.setAvatar', { data: new Uint8Array(await picture('jpeg')), mime: 'image/jpeg' });
    const gone = nextEvent(bob, 'users:changed', ({ users }) => users.some((u) => u.userId === 'alice' && u.avatar === undefined));
    expect(await call(alice, 'profile.removeAvatar', {})).toEqual({ userId: 'alice', name: 'ALICE', status: '' });
    await gone;
  });

  it('refuses bad input with typed errors: not an image, too large, an unknown avatar, arguments outside the contract', async () => {
    const alice = fixture.newCore();
    await signUp(alice, 'alice');
    await expect(call(alice, 'profile.setAvatar', { data: new TextEncoder().encode('<svg onload="alert(1)"/>'), mime: 'image/png' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(call(alice, 'profile.setAvatar', { data: new Uint8Array(10 * 1024 * 1024 + 1), mime: 'image/png' })).rejects.toMatchObject({ code: 'TOO_LARGE' });
    await expect(call(alice, 'avatars.read', { avatar: '/v1/avatars/AAAAAAAAAAAAAAAAAAAAAA', size: 'list' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(call(alice, 'avatars.read', { avatar: '/v1/avatars/../auth/login', size: 'list' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(call(alice, 'avatars.read', { avatar: 'file:///etc/passwd', size: 'list' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(call(alice, 'profile.update', {})).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await call(alice, 'profile.get', {})).toEqual({ userId: 'alice', name: 'ALICE', status: '' });

    const dispatcher = createDispatcher(alice.handlers);
    const ctx = { transport: 'host' as const, clientId: 't' };
    const bad = [
      ['profile.setAvatar', { data: new Uint8Array(10 * 1024 * 1024 + 1), mime: 'image/png' }],
      ['profile.setAvatar', { data: new Uint8Array(4), mime: 'text/html' }],
      ['profile.setAvatar', { data: new Uint8Array(4), mime: 'image/png', crop: { x: -1, y: 0, size: 10 } }],
      ['profile.update', { name: '' }],
      ['profile.update', { status: 'x'.repeat(141) }],
      ['profile.update', { name: 'A', token: 'x' }],
      ['avatars.read', { avatar: '/v1/avatars/x', size: 'huge' }],
    ] as const;
    for (const [method, arg] of bad) {
      expect(await dispatcher.dispatch(method, arg, ctx), method).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
  });
});

describe('avatars an administrator set (absolute URLs)', () => {
  let site: http.Server;
  let base = '';
  const seenHeaders: http.IncomingHttpHeaders[] = [];

  beforeEach(async () => {
    const png = await picture();
    site = http.createServer((req, res) => {
      seenHeaders.push(req.headers);
      if (req.url === '/face.png') res.writeHead(200, { 'Content-Type': 'image/png' }).end(png);
      else if (req.url === '/page') res.writeHead(200, { 'Content-Type': 'text/html' }).end('<script>alert(1)</script>');
      else if (req.url === '/huge.png') res.writeHead(200, { 'Content-Type': 'image/png' }).end(Buffer.alloc(5 * 1024 * 1024));
      else if (req.url === '/chunked.png') {
        // No length announced: the bytes themselves are counted.
        res.writeHead(200, { 'Content-Type': 'image/png' });
        for (let i = 0; i < 5; i++) res.write(Buffer.alloc(1024 * 1024));
        res.end();
      } else if (req.url === '/vector.svg') res.writeHead(200, { 'Content-Type': 'image/svg+xml' }).end('<svg/>');
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => site.close(() => resolve()));
  });

  it('are fetched without the token, held to image types and a size', async () => {
    const alice = fixture.newCore();
    await signUp(alice, 'alice');
    const urls = ['face.png', 'page', 'vector.svg', 'huge.png', 'nothing.png', 'chunked.png'].map((p) => `${base}/${p}`);
    // Only what the server named is fetched: the window cannot make main fetch any address it likes.
    await expect(call(alice, 'avatars.read', { avatar: urls[0]!, size: 'list' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(seenHeaders).toHaveLength(0);
    for (const [i, url] of urls.entries()) {
      expect((await admin(server, 'POST', '/v1/admin/users', { userId: `u${i}`, name: `U${i}`, avatar: url })).status).toBeLessThan(300);
    }
    await call(alice, 'users.get', { userIds: urls.map((_, i) => `u${i}`) });
    const face = await call(alice, 'avatars.read', { avatar: `${base}/face.png`, size: 'list' });
    expect(face.mime).toBe('image/png');
    expect((await sharp(Buffer.from(face.bytes)).metadata()).width).toBe(300);
    await expect(call(alice, 'avatars.read', { avatar: `${base}/page`, size: 'list' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(call(alice, 'avatars.read', { avatar: `${base}/vector.svg`, size: 'list' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(call(alice, 'avatars.read', { avatar: `${base}/huge.png`, size: 'list' })).rejects.toMatchObject({ code: 'TOO_LARGE' });
    await expect(call(alice, 'avatars.read', { avatar: `${base}/nothing.png`, size: 'list' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(call(alice, 'avatars.read', { avatar: `${base}/chunked.png`, size: 'list' })).rejects.toMatchObject({ code: 'TOO_LARGE' });
    expect(seenHeaders.length).toBeGreaterThanOrEqual(6);
    for (const h of seenHeaders) expect(h.authorization).toBeUndefined();
  });

  it('of users found through the directory are fetched too, as of users.get', async () => {
    const dana = fixture.newCore();
    await signUp(dana, 'dana');
    const face = `${base}/face.png`;
    expect((await admin(server, 'POST', '/v1/admin/users', { userId: 'dir-face', name: 'Directory Face', avatar: face })).status).toBeLessThan(300);
    await expect(call(dana, 'avatars.read', { avatar: face, size: 'list' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const found = await call(dana, 'directory.searchUsers', { query: 'dir-face' });
    expect(found.users[0]).toMatchObject({ userId: 'dir-face', avatar: face });
    expect((await call(dana, 'avatars.read', { avatar: face, size: 'list' })).mime).toBe('image/png');
  });
});
