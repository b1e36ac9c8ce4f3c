import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoreFixture, TEST_ADMIN, call, nextEvent } from '../test-support/cores.js';
import { startTestServer, until, type TestServer } from '../test-support/server.js';

let server: TestServer;
const fixture = new CoreFixture();

beforeEach(async () => {
  server = await startTestServer({ ...TEST_ADMIN });
});

afterEach(async () => {
  await fixture.cleanup();
  await server.destroy();
});

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
    await until(() => core.current?.conn.online === true, 5000, 'online');
  });
});
