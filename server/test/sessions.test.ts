/** docs/protocol.md part 2, "Sessions and devices": logout, the device list, signing devices out, password change. */
import { describe, expect, it } from 'vitest';
import { PASSWORD, clockPast, httpErrorCode, pconv, useServer, type TestServer, type TestUser, type WsClient } from './harness.js';

const NEW_PASSWORD = 'a different horse, 2nd';

/** A second token of the user, as a second device gets by logging in. */
async function loginToken(srv: TestServer, userId: string, password = PASSWORD): Promise<string> {
  const res = await srv.login(userId, password);
  expect(res.status).toBe(200);
  return (res.json as { token: string }).token;
}

async function expectRevoked(c: WsClient): Promise<void> {
  expect(typeof (await c.nextEvent('session.revoked')).reason).toBe('string');
  expect((await c.closed).code).toBe(4403);
}

async function expectRefused(srv: TestServer, token: string): Promise<void> {
  const c = await srv.connect();
  const a = await c.hello(token, `probe-${Math.random().toString(36).slice(2, 8)}`);
  expect(a.ok).toBe(false);
  if (!a.ok) expect(a.error.code).toBe('UNAUTHENTICATED');
  expect((await c.closed).code).toBe(4401);
}

describe('logout', () => {
  const srv = useServer();

  it('revokes the token: its live connection is closed 4403 and a later hello with it is refused', async () => {
    const u = await srv.user('out');
    const other = { ...u, token: await loginToken(srv, u.userId) };
    const laptop = await srv.device(u, 'laptop');
    const phone = await srv.device(other, 'phone');
    const res = await srv.http('POST', '/v1/auth/logout', { token: u.token });
    expect(res.status).toBe(200);
    await expectRevoked(laptop);
    await expectRefused(srv, u.token);
    // The account's other device stays signed in and is served.
    expect(phone.isOpen).toBe(true);
    expect(await phone.call('sync', {})).toMatchObject({ conversations: [] });
    // A revoked token cannot log out again.
    const again = await srv.http('POST', '/v1/auth/logout', { token: u.token });
    expect(again.status).toBe(401);
    expect(httpErrorCode(again)).toBe('UNAUTHENTICATED');
  });

  it('needs a bearer token: none, or a malformed one, is UNAUTHENTICATED', async () => {
    const none = await srv.http('POST', '/v1/auth/logout');
    expect(none.status).toBe(401);
    expect(httpErrorCode(none)).toBe('UNAUTHENTICATED');
    const bad = await srv.http('POST', '/v1/auth/logout', { token: 'pt_not-a-token' });
    expect(httpErrorCode(bad)).toBe('UNAUTHENTICATED');
  });
});

describe('devices', () => {
  const srv = useServer();

  async function twoDevices(): Promise<{ u: TestUser; laptop: WsClient; phone: WsClient; phoneToken: string }> {
    const u = await srv.user('dev');
    const phoneToken = await loginToken(srv, u.userId);
    const laptop = await srv.device(u, 'laptop');
    const phone = await srv.device({ token: phoneToken }, 'phone');
    return { u, laptop, phone, phoneToken };
  }

  it('devices.list shows each device with its platform, app and last seen, this one marked current', async () => {
    const before = Date.now();
    const { laptop, phone } = await twoDevices();
    const { devices } = await laptop.call('devices.list', {});
    expect(devices.map((d) => d.deviceId).sort()).toEqual(['laptop', 'phone']);
    for (const d of devices) {
      expect(d).toMatchObject({ platform: 'test', app: 'conformance/1' });
      expect(d.lastSeen).toBeGreaterThanOrEqual(before);
      expect(d.createdAt).toBeGreaterThanOrEqual(before);
      expect(d.current).toBe(d.deviceId === 'laptop');
    }
    const fromPhone = await phone.call('devices.list', {});
    expect(fromPhone.devices.find((d) => d.current)?.deviceId).toBe('phone');
  });

  it('devices.list shows a device connected now as seen now, not at its hello', async () => {
    const { laptop, phoneToken } = await twoDevices();
    const phone = await srv.connect();
    const hello = await phone.hello(phoneToken, 'phone');
    if (!hello.ok) throw new Error('hello refused');
    await clockPast(hello.body.serverTime);
    const seen = (await laptop.call('devices.list', {})).devices.find((d) => d.deviceId === 'phone')!.lastSeen;
    expect(seen).toBeGreaterThan(hello.body.serverTime);
  });

  it('devices.list keeps a device that disconnected: it is still signed in', async () => {
    const { laptop, phone } = await twoDevices();
    const seenAtHello = (await laptop.call('devices.list', {})).devices.find((d) => d.deviceId === 'phone')!.lastSeen;
    phone.close();
    await phone.closed;
    const after = (await laptop.call('devices.list', {})).devices.find((d) => d.deviceId === 'phone');
    expect(after?.lastSeen).toBeGreaterThanOrEqual(seenAtHello);
  });

  it('devices.revoke signs out that device only: closed 4403, its token refused', async () => {
    const { laptop, phone, phoneToken } = await twoDevices();
    expect(await laptop.call('devices.revoke', { deviceId: 'phone' })).toEqual({});
    await expectRevoked(phone);
    await expectRefused(srv, phoneToken);
    expect(laptop.isOpen).toBe(true);
    expect((await laptop.call('devices.list', {})).devices.map((d) => d.deviceId)).toEqual(['laptop']);
  });

  it('devices.revoke refuses this device (BAD_REQUEST) and an unknown one (NOT_FOUND)', async () => {
    const { laptop } = await twoDevices();
    expect((await laptop.fail('devices.revoke', { deviceId: 'laptop' })).code).toBe('BAD_REQUEST');
    expect((await laptop.fail('devices.revoke', { deviceId: 'no-such-device' })).code).toBe('NOT_FOUND');
    expect((await laptop.fail('devices.revoke', { deviceId: '' })).code).toBe('BAD_REQUEST');
    expect((await laptop.fail('devices.revoke', {})).code).toBe('BAD_REQUEST');
    expect(laptop.isOpen).toBe(true);
  });

  it('a user cannot see or sign out another user’s devices', async () => {
    const { u, phone } = await twoDevices();
    const mallory = await srv.user('mallory');
    const m = await srv.device(mallory, 'mallory-pc');
    expect((await m.call('devices.list', {})).devices.map((d) => d.deviceId)).toEqual(['mallory-pc']);
    expect((await m.fail('devices.revoke', { deviceId: 'phone' })).code).toBe('NOT_FOUND');
    expect(await m.call('devices.revokeOthers', {})).toEqual({ revoked: 0 });
    // The victim's devices are untouched: a message still reaches the phone.
    const ack = await m.sendText(pconv(mallory.userId, u.userId), 'still there?');
    expect((await phone.nextEvent('msg', (e) => e.seq === ack.seq)).msgId).toBe(ack.msgId);
  });

  it('devices.revokeOthers signs out every other device and keeps this one', async () => {
    const { u, laptop, phone, phoneToken } = await twoDevices();
    const tabletToken = await loginToken(srv, u.userId);
    const tablet = await srv.device({ token: tabletToken }, 'tablet');
    // A token that never connected is revoked too.
    const unused = await loginToken(srv, u.userId);
    expect(await laptop.call('devices.revokeOthers', {})).toEqual({ revoked: 3 });
    await expectRevoked(phone);
    await expectRevoked(tablet);
    for (const t of [phoneToken, tabletToken, unused]) await expectRefused(srv, t);
    expect((await laptop.call('sync', {})).conversations).toEqual([]);
    expect((await laptop.call('devices.list', {})).devices.map((d) => d.deviceId)).toEqual(['laptop']);
    // This device's token still opens a connection.
    laptop.close();
    await srv.device(u, 'laptop');
  });
});

describe('devices across a restart', () => {
  const srv = useServer();

  it('the device a token was used from, and when, survive a restart of the server', async () => {
    const u = await srv.user('restart');
    const before = Date.now();
    await srv.device(u, 'laptop');
    await srv.restart();
    const again = await srv.device({ token: await loginToken(srv, u.userId) }, 'phone');
    const laptop = (await again.call('devices.list', {})).devices.find((d) => d.deviceId === 'laptop');
    expect(laptop).toMatchObject({ platform: 'test', app: 'conformance/1', current: false });
    expect(laptop!.lastSeen).toBeGreaterThanOrEqual(before);
  });
});

describe('password change', () => {
  const srv = useServer();

  it('stores the new password and revokes every other token; this one stays valid', async () => {
    const u = await srv.user('pw');
    const phoneToken = await loginToken(srv, u.userId);
    const laptop = await srv.device(u, 'laptop');
    const phone = await srv.device({ token: phoneToken }, 'phone');
    const res = await srv.http('POST', '/v1/auth/password', { token: u.token, json: { oldPassword: PASSWORD, newPassword: NEW_PASSWORD } });
    expect(res.status).toBe(200);
    await expectRevoked(phone);
    await expectRefused(srv, phoneToken);
    expect(laptop.isOpen).toBe(true);
    expect((await laptop.call('devices.list', {})).devices.map((d) => d.deviceId)).toEqual(['laptop']);
    const old = await srv.login(u.userId, PASSWORD);
    expect(old.status).toBe(401);
    expect(httpErrorCode(old)).toBe('UNAUTHENTICATED');
    expect((await srv.login(u.userId, NEW_PASSWORD)).status).toBe(200);
  });

  it('refuses a wrong old password (FORBIDDEN), then throttles the guesses (RATE_LIMITED); nothing changes', async () => {
    const u = await srv.user('pwguess');
    const laptop = await srv.device(u, 'laptop');
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await srv.http('POST', '/v1/auth/password', { token: u.token, json: { oldPassword: `guess ${i}`, newPassword: NEW_PASSWORD } });
      codes.push(httpErrorCode(res));
    }
    expect(codes[0]).toBe('FORBIDDEN');
    expect(codes).toContain('RATE_LIMITED');
    expect(codes.every((c) => c === 'FORBIDDEN' || c === 'RATE_LIMITED')).toBe(true);
    expect(laptop.isOpen).toBe(true);
    expect((await srv.login(u.userId, PASSWORD)).status).toBe(200);
  });

  it('answers bad input with typed errors: no token, a bad body, a too short or too common new password', async () => {
    const u = await srv.user('pwbad');
    const none = await srv.http('POST', '/v1/auth/password', { json: { oldPassword: PASSWORD, newPassword: NEW_PASSWORD } });
    expect(httpErrorCode(none)).toBe('UNAUTHENTICATED');
    const notJson = await srv.http('POST', '/v1/auth/password', { token: u.token, body: '{oops', headers: { 'content-type': 'application/json' } });
    expect(httpErrorCode(notJson)).toBe('BAD_REQUEST');
    const short = await srv.http('POST', '/v1/auth/password', { token: u.token, json: { oldPassword: PASSWORD, newPassword: 'short' } });
    expect(httpErrorCode(short)).toBe('BAD_REQUEST');
    const missing = await srv.http('POST', '/v1/auth/password', { token: u.token, json: { newPassword: NEW_PASSWORD } });
    expect(httpErrorCode(missing)).toBe('BAD_REQUEST');
    // The registration's policy holds for a new password too.
    for (const weak of ['password123', 'qwertyuiop']) {
      const refused = await srv.http('POST', '/v1/auth/password', { token: u.token, json: { oldPassword: PASSWORD, newPassword: weak } });
      expect(refused.status, weak).toBe(400);
      expect((refused.json as { error: { reason?: string } }).error.reason).toBe('WEAK_PASSWORD');
    }
    expect((await srv.login(u.userId, PASSWORD)).status).toBe(200);
  });
});
