/** docs/protocol.md part 2, "Profiles": profile.update, the avatar routes, and the `profile` event. */
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { AVATAR_SIZES } from '../../protocol/index.js';
import { httpErrorCode, pconv, useServer, type TestServer, type TestUser, type WsClient } from './harness.js';

function tag(): string {
  return `p${randomUUID().slice(0, 6)}`;
}

async function signedIn(srv: TestServer, userId: string, name: string): Promise<{ user: TestUser; c: WsClient }> {
  const user = await srv.register(userId, name);
  return { user, c: await srv.device(user) };
}

/** A picture whose left half is red and right half blue, carrying EXIF that must not survive. */
async function twoColours(width: number, height: number, orientation?: number): Promise<Buffer> {
  const half = Math.floor(width / 2);
  const red = await sharp({ create: { width: half, height, channels: 3, background: '#ff0000' } }).png().toBuffer();
  const img = sharp({ create: { width, height, channels: 3, background: '#0000ff' } }).composite([{ input: red, left: 0, top: 0 }]);
  const exif = { IFD0: { Copyright: 'secret-owner', ImageDescription: 'taken at home' } };
  return img
    .jpeg()
    .withExif(exif)
    .withMetadata(orientation ? { orientation } : {})
    .toBuffer();
}

async function putAvatar(srv: TestServer, token: string, bytes: Uint8Array, headers: Record<string, string> = {}) {
  return srv.http('PUT', '/v1/profile/avatar', { body: bytes, token, headers: { 'content-type': 'image/jpeg', ...headers } });
}

async function getAvatar(srv: TestServer, token: string | undefined, path: string): Promise<{ status: number; bytes: Buffer; type: string | null }> {
  const res = await fetch(srv.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
}

/** The average colour of a picture. */
async function meanColour(bytes: Buffer): Promise<{ r: number; g: number; b: number }> {
  const { channels } = await sharp(bytes).stats();
  return { r: channels[0]!.mean, g: channels[1]!.mean, b: channels[2]!.mean };
}

describe('profiles: name and status', () => {
  const srv = useServer({ sendRate: 0 });

  it('a change reaches the user\'s other devices, private-chat peers, group co-members and contacts, and nobody else', async () => {
    const t = tag();
    const me = await signedIn(srv, `${t}-me`, 'Ada Wong');
    const other = await srv.device(me.user);
    const peer = await signedIn(srv, `${t}-peer`, 'Peer');
    const member = await signedIn(srv, `${t}-member`, 'Member');
    const contact = await signedIn(srv, `${t}-contact`, 'Contact');
    const stranger = await signedIn(srv, `${t}-stranger`, 'Stranger');
    await me.c.sendText(pconv(me.user.userId, peer.user.userId), 'hi');
    await me.c.call('group.create', { name: 'G', members: [member.user.userId], joinPolicy: 'open' });
    await me.c.call('contacts.request', { userId: contact.user.userId });
    await contact.c.call('contacts.accept', { userId: me.user.userId });

    await me.c.call('profile.update', { name: '  王小明  ', status: 'On holiday 🌴' });
    const expected = { userId: me.user.userId, name: '王小明', status: 'On holiday 🌴' };
    for (const c of [other, peer.c, member.c, contact.c]) expect(await c.nextEvent('profile', (p) => p.userId === me.user.userId)).toEqual(expected);
    // The stranger shares nothing with the user: a users.get round trip after the change proves nothing was queued.
    await stranger.c.call('users.get', { userIds: [me.user.userId] });
    expect(stranger.c.received.some((f) => f.type === 'evt' && f.ev === 'profile')).toBe(false);

    const [info] = (await stranger.c.call('users.get', { userIds: [me.user.userId] })).users;
    expect(info).toMatchObject({ name: '王小明', status: 'On holiday 🌴' });
    // The directory finds the new name.
    const found = await stranger.c.call('users.search', { query: '小明' });
    expect(found.users.map((u) => u.userId)).toContain(me.user.userId);

    // An empty status clears it: users.get leaves the field out.
    await me.c.call('profile.update', { status: '' });
    expect(await peer.c.nextEvent('profile', (p) => p.userId === me.user.userId && p.status === undefined)).toEqual({ userId: me.user.userId, name: '王小明' });
    const [cleared] = (await peer.c.call('users.get', { userIds: [me.user.userId] })).users;
    expect(cleared!.status).toBeUndefined();
  });

  it('refuses an empty change, a blank name and an over-long status, and changes nothing', async () => {
    const t = tag();
    const { user, c } = await signedIn(srv, `${t}-me`, 'Before');
    expect((await c.fail('profile.update', {})).code).toBe('BAD_REQUEST');
    expect((await c.fail('profile.update', { name: '   ' })).code).toBe('BAD_REQUEST');
    expect((await c.fail('profile.update', { name: '' })).code).toBe('BAD_REQUEST');
    expect((await c.fail('profile.update', { status: 'x'.repeat(141) })).code).toBe('BAD_REQUEST');
    expect((await c.fail('profile.update', { name: 'n'.repeat(65) })).code).toBe('BAD_REQUEST');
    expect((await c.call('users.get', { userIds: [user.userId] })).users[0]).toMatchObject({ name: 'Before' });
  });

  it('an admin API change of a name is announced too', async () => {
    const srvAdmin = srv;
    const t = tag();
    const me = await signedIn(srvAdmin, `${t}-me`, 'Old');
    const peer = await signedIn(srvAdmin, `${t}-peer`, 'Peer');
    await me.c.sendText(pconv(me.user.userId, peer.user.userId), 'hi');
    const res = await srvAdmin.admin('POST', '/v1/admin/users', { userId: me.user.userId, name: 'New' });
    expect(res.status).toBe(200);
    expect(await peer.c.nextEvent('profile', (p) => p.userId === me.user.userId)).toEqual({ userId: me.user.userId, name: 'New' });
  });
});

describe('profiles: avatars', () => {
  const srv = useServer({ sendRate: 0, maxAvatarBytes: 256 * 1024 });

  it('stores the centred square at each size as WebP without metadata, and tells who sees the user', async () => {
    const t = tag();
    const me = await signedIn(srv, `${t}-me`, 'Me');
    const peer = await signedIn(srv, `${t}-peer`, 'Peer');
    await me.c.sendText(pconv(me.user.userId, peer.user.userId), 'hi');

    const original = await twoColours(600, 300);
    expect(original.includes('secret-owner')).toBe(true);
    const res = await putAvatar(srv, me.user.token, original);
    expect(res.status).toBe(200);
    const { avatar } = res.json as { avatar: string };
    expect(avatar).toMatch(/^\/v1\/avatars\/[A-Za-z0-9_-]{22}$/);
    expect(await peer.c.nextEvent('profile', (p) => p.userId === me.user.userId)).toEqual({ userId: me.user.userId, name: 'Me', avatar });
    expect((await peer.c.call('users.get', { userIds: [me.user.userId] })).users[0]!.avatar).toBe(avatar);

    for (const [name, size] of Object.entries(AVATAR_SIZES)) {
      const got = await getAvatar(srv, peer.user.token, `${avatar}?size=${name}`);
      expect(got.status).toBe(200);
      expect(got.type).toBe('image/webp');
      const meta = await sharp(got.bytes).metadata();
      expect(meta).toMatchObject({ format: 'webp', width: size, height: size });
      expect(meta.exif).toBeUndefined();
      expect(got.bytes.includes('secret-owner')).toBe(false);
    }
    // The centred square of a red|blue picture is half red, half blue.
    const centre = await meanColour((await getAvatar(srv, peer.user.token, avatar)).bytes);
    expect(centre.r).toBeGreaterThan(90);
    expect(centre.b).toBeGreaterThan(90);
  });

  it('keeps the square X-Avatar-Crop names, in pixels of the picture turned upright by its EXIF orientation', async () => {
    const t = tag();
    const me = await signedIn(srv, `${t}-me`, 'Me');
    // 600×300, left red; orientation 6 turns it a quarter clockwise: displayed 300×600, red on top.
    const turned = await twoColours(600, 300, 6);
    const top = await putAvatar(srv, me.user.token, turned, { 'x-avatar-crop': '0,0,300' });
    expect(top.status).toBe(200);
    const red = await meanColour((await getAvatar(srv, me.user.token, (top.json as { avatar: string }).avatar)).bytes);
    expect(red.r).toBeGreaterThan(200);
    expect(red.b).toBeLessThan(50);
    const bottom = await putAvatar(srv, me.user.token, turned, { 'x-avatar-crop': '0,300,300' });
    const blue = await meanColour((await getAvatar(srv, me.user.token, (bottom.json as { avatar: string }).avatar)).bytes);
    expect(blue.b).toBeGreaterThan(200);
    expect(blue.r).toBeLessThan(50);
    // Outside the displayed picture (it is 300 wide, not 600), or malformed: BAD_REQUEST.
    expect(httpErrorCode(await putAvatar(srv, me.user.token, turned, { 'x-avatar-crop': '300,0,300' }))).toBe('BAD_REQUEST');
    expect(httpErrorCode(await putAvatar(srv, me.user.token, turned, { 'x-avatar-crop': '0,0' }))).toBe('BAD_REQUEST');
    expect(httpErrorCode(await putAvatar(srv, me.user.token, turned, { 'x-avatar-crop': '0,0,0' }))).toBe('BAD_REQUEST');
  });

  it('a new avatar replaces the old one, whose images are gone; DELETE removes it', async () => {
    const t = tag();
    const me = await signedIn(srv, `${t}-me`, 'Me');
    const first = ((await putAvatar(srv, me.user.token, await twoColours(64, 64))).json as { avatar: string }).avatar;
    const second = ((await putAvatar(srv, me.user.token, await twoColours(80, 80))).json as { avatar: string }).avatar;
    expect(second).not.toBe(first);
    expect((await getAvatar(srv, me.user.token, first)).status).toBe(404);
    expect((await getAvatar(srv, me.user.token, second)).status).toBe(200);

    const del = await srv.http('DELETE', '/v1/profile/avatar', { token: me.user.token });
    expect(del.status).toBe(204);
    expect(await me.c.nextEvent('profile', (p) => p.avatar === undefined)).toEqual({ userId: me.user.userId, name: 'Me' });
    expect((await me.c.call('users.get', { userIds: [me.user.userId] })).users[0]!.avatar).toBeUndefined();
    expect((await getAvatar(srv, me.user.token, second)).status).toBe(404);
    const rows = await srv.sql<{ n: number | string }>('SELECT COUNT(*) AS n FROM avatars WHERE user_id = ?', [me.user.userId]);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('refuses what is not a picture, an oversized body, a bad size and strangers without a token', async () => {
    const t = tag();
    const me = await signedIn(srv, `${t}-me`, 'Me');
    const notImage = await putAvatar(srv, me.user.token, Buffer.from('%PDF-1.4 not a picture'));
    expect(notImage.status).toBe(400);
    expect(notImage.json).toMatchObject({ error: { code: 'BAD_REQUEST', reason: 'NOT_AN_IMAGE' } });
    const svg = await putAvatar(srv, me.user.token, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'), { 'content-type': 'image/svg+xml' });
    expect(svg.json).toMatchObject({ error: { code: 'BAD_REQUEST', reason: 'NOT_AN_IMAGE' } });
    expect(httpErrorCode(await putAvatar(srv, me.user.token, Buffer.alloc(0)))).toBe('BAD_REQUEST');

    const big = await sharp({ create: { width: 1500, height: 1500, channels: 3, background: '#808080' }, }).png({ compressionLevel: 0 }).toBuffer();
    expect(big.length).toBeGreaterThan(256 * 1024);
    const tooLarge = await putAvatar(srv, me.user.token, big, { 'content-type': 'image/png' });
    expect(tooLarge.status).toBe(413);
    expect(httpErrorCode(tooLarge)).toBe('TOO_LARGE');
    // Nothing was set by any of these.
    expect((await me.c.call('users.get', { userIds: [me.user.userId] })).users[0]!.avatar).toBeUndefined();

    const ok = ((await putAvatar(srv, me.user.token, await twoColours(64, 64))).json as { avatar: string }).avatar;
    expect(httpErrorCode(await srv.http('GET', `${ok}?size=huge`, { token: me.user.token }))).toBe('BAD_REQUEST');
    expect((await getAvatar(srv, undefined, ok)).status).toBe(401);
    expect(httpErrorCode(await srv.http('PUT', '/v1/profile/avatar', { body: await twoColours(64, 64) }))).toBe('UNAUTHENTICATED');
    expect((await getAvatar(srv, me.user.token, '/v1/avatars/..%2F..%2Fparley.db')).status).toBe(404);
    expect((await getAvatar(srv, me.user.token, '/v1/avatars/AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
  });

  it('avatar changes are rate limited per user', async () => {
    const t = tag();
    const me = await signedIn(srv, `${t}-me`, 'Me');
    const picture = await twoColours(32, 32);
    let limited: { status: number; json: unknown } | null = null;
    for (let i = 0; i < 30 && !limited; i++) {
      const res = await putAvatar(srv, me.user.token, picture);
      if (res.status !== 200) limited = res;
    }
    expect(limited?.status).toBe(429);
    expect(limited?.json).toMatchObject({ error: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) } });
  });
});
