import { afterEach, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../protocol/index.js';
import { createDispatcher } from '../ipc/dispatcher.js';
import { toErrorBody } from '../ipc/errors.js';
import { CoreFixture } from '../test-support/cores.js';
import { startTestServer, type TestServer } from '../test-support/server.js';
import { register } from './http-client.js';

const servers: TestServer[] = [];
const fixture = new CoreFixture();
afterEach(async () => {
  await fixture.cleanup();
  for (const s of servers.splice(0)) await s.destroy();
});

async function refusal(promise: Promise<unknown>): Promise<ProtocolError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProtocolError);
  return error as ProtocolError;
}

describe('register', () => {
  it('sends the invite code, and carries the reason of a refusal up to the IPC edge', async () => {
    const server = await startTestServer({ registration: 'invite' });
    servers.push(server);
    const missing = await refusal(register(server.url, 'ann', 'a long passphrase', 'Ann'));
    expect(missing.code).toBe('FORBIDDEN');
    expect(toErrorBody(missing).body).toMatchObject({ code: 'FORBIDDEN', reason: 'INVITE_REQUIRED' });
    const bogus = await refusal(register(server.url, 'ann', 'a long passphrase', 'Ann', 'no-such-code'));
    expect(toErrorBody(bogus).body).toMatchObject({ code: 'FORBIDDEN', reason: 'INVITE_INVALID' });
  });

  it('a common password is refused with reason WEAK_PASSWORD', async () => {
    const server = await startTestServer({});
    servers.push(server);
    const weak = await refusal(register(server.url, 'bea', 'password1', 'Bea'));
    expect(toErrorBody(weak).body).toMatchObject({ code: 'BAD_REQUEST', reason: 'WEAK_PASSWORD' });
    await expect(register(server.url, 'bea', 'an uncommon passphrase', 'Bea')).resolves.toMatchObject({ token: expect.any(String) });
  });
});

describe('auth.register at the IPC edge', () => {
  it('takes an invite code and answers a refusal with its reason', async () => {
    const server = await startTestServer({ registration: 'invite' });
    servers.push(server);
    const dispatcher = createDispatcher(fixture.newCore().handlers);
    const ctx = { transport: 'host' as const, clientId: 't' };
    const arg = { serverUrl: server.url, userId: 'cid', password: 'a long passphrase', name: 'Cid' };
    expect(await dispatcher.dispatch('auth.register', { ...arg, inviteCode: 'abc_DEF-123' }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', reason: 'INVITE_INVALID' },
    });
    expect(await dispatcher.dispatch('auth.register', arg, ctx)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', reason: 'INVITE_REQUIRED' } });
  });
});
