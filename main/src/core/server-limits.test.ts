/** The server's limits reach the renderer: `server.limits` and `limits:changed` (preload/contract.ts). */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../protocol/index.js';
import { CoreFixture, call, nextEvent, signUp } from '../test-support/cores.js';
import { restartTestServer, startTestServer, type TestServer } from '../test-support/server.js';

const fixture = new CoreFixture();
let server: TestServer | null = null;

afterEach(async () => {
  await fixture.cleanup();
  await server?.destroy();
  server = null;
});

describe('server limits in the core', () => {
  it('are the protocol defaults before any hello, then what the server announced', async () => {
    server = await startTestServer({ recallWindowMs: 600_000, maxGroupMembers: 500, typingMaxGroupMembers: 20 });
    const core = fixture.newCore();
    expect(await call(core, 'server.limits', {})).toEqual({ ...DEFAULT_LIMITS, announced: false });

    const changed = nextEvent(core, 'limits:changed');
    await signUp(core, server, 'alice');
    const expected = { recallWindowMs: 600_000, maxGroupMembers: 500, typingMaxGroupMembers: 20, maxTextChars: 8000, announced: true };
    expect(await changed).toMatchObject(expected);
    expect(await call(core, 'server.limits', {})).toMatchObject(expected);
  });

  it('change when the server comes back with other settings', async () => {
    server = await startTestServer();
    const core = fixture.newCore();
    await signUp(core, server, 'alice');
    expect((await call(core, 'server.limits', {})).recallWindowMs).toBe(DEFAULT_LIMITS.recallWindowMs);

    const changed = nextEvent(core, 'limits:changed', (l) => l.recallWindowMs === 30_000);
    server = await restartTestServer(server, { recallWindowMs: 30_000 });
    await changed;
    expect(await call(core, 'server.limits', {})).toMatchObject({ recallWindowMs: 30_000, announced: true });
  });
});
