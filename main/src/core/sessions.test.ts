/** Signing out, the device list and password changes, through the core against a real server. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../ipc/dispatcher.js';
import { CoreFixture, call, nextEvent, signUp } from '../test-support/cores.js';
import { startTestServer, until, type TestServer } from '../test-support/server.js';
import type { ClientCore } from './client-core.js';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'another horse, battery 2';

let server: TestServer;
const fixture = new CoreFixture();

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await fixture.cleanup();
  await server.destroy();
});

/** A second device of the user, signed in with the password. */
async function secondDevice(userId: string, password = PASSWORD): Promise<ClientCore> {
  const core = fixture.newCore();
  await call(core, 'auth.login', { serverUrl: server.url, userId, password });
  await until(() => core.current?.conn.online === true, 10_000, 'second device online');
  return core;
}

async function deviceCount(core: ClientCore): Promise<number> {
  return (await call(core, 'devices.list', {})).devices.length;
}

describe('sessions', () => {
  it('signing out revokes the token on the server: the device leaves the account’s device list', async () => {
    const laptop = fixture.newCore();
    await signUp(laptop, server, 'alice');
    const phone = await secondDevice('alice');
    const { devices } = await call(phone, 'devices.list', {});
    expect(devices).toHaveLength(2);
    expect(devices.filter((d) => d.current)).toHaveLength(1);
    expect(devices.every((d) => d.platform === 'test' && d.lastSeen > 0)).toBe(true);

    await call(laptop, 'auth.logout', {});
    expect(await call(laptop, 'session.get', {})).toMatchObject({ state: 'signed-out' });
    expect(await call(phone, 'devices.list', {})).toMatchObject({ devices: [{ current: true }] });
  });

  it('signs out offline too, at once, and the token is forgotten', async () => {
    const laptop = fixture.newCore();
    await signUp(laptop, server, 'alice');
    await server.close();
    await until(() => !laptop.current!.conn.online, 5000, 'offline');
    await call(laptop, 'auth.logout', {});
    expect(await call(laptop, 'session.get', {})).toMatchObject({ state: 'signed-out', userId: 'alice' });
    await expect(call(laptop, 'devices.list', {})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('signs out another device, and every other device', async () => {
    const laptop = fixture.newCore();
    await signUp(laptop, server, 'alice');
    const phone = await secondDevice('alice');
    const tablet = await secondDevice('alice');
    const phoneId = (await call(phone, 'devices.list', {})).devices.find((d) => d.current)!.deviceId;

    const phoneOut = nextEvent(phone, 'session:changed', (s) => s.state === 'signed-out');
    await call(laptop, 'devices.revoke', { deviceId: phoneId });
    await phoneOut;
    expect(await deviceCount(laptop)).toBe(2);

    const tabletOut = nextEvent(tablet, 'session:changed', (s) => s.state === 'signed-out');
    expect(await call(laptop, 'devices.revokeOthers', {})).toEqual({ revoked: 1 });
    await tabletOut;
    expect(await deviceCount(laptop)).toBe(1);
    expect(laptop.current?.conn.online).toBe(true);
  });

  it('changes the password: the other devices are signed out, the old password no longer works', async () => {
    const laptop = fixture.newCore();
    await signUp(laptop, server, 'alice');
    const phone = await secondDevice('alice');
    await expect(call(laptop, 'auth.changePassword', { oldPassword: 'not the password', newPassword: NEW_PASSWORD })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const phoneOut = nextEvent(phone, 'session:changed', (s) => s.state === 'signed-out');
    await call(laptop, 'auth.changePassword', { oldPassword: PASSWORD, newPassword: NEW_PASSWORD });
    await phoneOut;
    expect(await deviceCount(laptop)).toBe(1);
    await expect(call(phone, 'auth.login', { serverUrl: server.url, userId: 'alice', password: PASSWORD })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await call(phone, 'auth.login', { serverUrl: server.url, userId: 'alice', password: NEW_PASSWORD });
    expect(await call(phone, 'session.get', {})).toMatchObject({ state: 'signed-in' });
  });

  it('refuses bad arguments at the IPC edge before they reach the server', async () => {
    const laptop = fixture.newCore();
    await signUp(laptop, server, 'alice');
    const dispatcher = createDispatcher(laptop.handlers);
    const ctx = { transport: 'host' as const, clientId: 't' };
    const bad = [
      ['auth.changePassword', { oldPassword: PASSWORD, newPassword: 'short' }],
      ['auth.changePassword', { oldPassword: '', newPassword: NEW_PASSWORD }],
      ['auth.changePassword', { oldPassword: PASSWORD, newPassword: NEW_PASSWORD, extra: 1 }],
      ['devices.revoke', { deviceId: '../../etc' }],
      ['devices.revoke', {}],
      ['devices.revokeOthers', { all: true }],
    ] as const;
    for (const [method, arg] of bad) {
      expect(await dispatcher.dispatch(method, arg, ctx), method).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect(await deviceCount(laptop)).toBe(1);
  });
});
