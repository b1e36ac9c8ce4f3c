import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UPLOAD_QUOTA_REASON } from '../../../protocol/index.js';
import { CoreFixture, call, nextEvent, signUp } from '../test-support/cores.js';
import { startTestServer, type TestServer } from '../test-support/server.js';

let server: TestServer;
const fixture = new CoreFixture();

beforeEach(async () => {
  server = await startTestServer({ fileQuotaBytes: 50_000 });
});

afterEach(async () => {
  await fixture.cleanup();
  await server.destroy();
});

describe('an attachment past the storage quota', () => {
  it('fails its message with TOO_LARGE and the quota as the reason, which the app tells from a file too large', async () => {
    const alice = fixture.newCore();
    await signUp(alice, server, 'alice');
    const failed = nextEvent(alice, 'message:updated', ({ message }) => message.status === 'failed');
    await call(alice, 'messages.sendFile', { convId: 'p:alice|bob', name: 'big.bin', mime: 'application/octet-stream', data: new Uint8Array(60_000) });
    expect((await failed).message.failure).toEqual({ code: 'TOO_LARGE', message: UPLOAD_QUOTA_REASON });
  });
});
