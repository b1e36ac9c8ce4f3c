/**
 * PostgreSQL going away under a running server (docs/deploy.md "Upgrades"): sends are answered with a retryable
 * error and never acknowledged without a commit, `/healthz` says so, and once PostgreSQL is back the server uses it
 * again without a restart; a send retried with its clientMsgId is stored once.
 *
 * Needs PostgreSQL: `npm run test:postgres` sets PARLEY_TEST_DATABASE_URL. The server reaches it through a relay
 * the test cuts, as a restart or a network failure would.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETRYABLE_CODES } from '../../protocol/index.js';
import { TestServer, pconv } from './harness.js';
import { TcpRelay } from './tcp-relay.js';
import { TEST_DATABASE_URL, databaseUrlFor } from './test-database.js';

if (!TEST_DATABASE_URL) process.stdout.write('PostgreSQL fault tests skipped: set PARLEY_TEST_DATABASE_URL (or run npm run test:postgres) to run them\n');

describe.skipIf(!TEST_DATABASE_URL)('a server whose PostgreSQL goes away and comes back', () => {
  let relay: TcpRelay;
  let srv: TestServer;
  /** Owns the schema (named after its data directory); the server reaches it through the relay. */
  const probe = new TestServer();

  beforeAll(async () => {
    const direct = new URL(await databaseUrlFor(probe.dataDir));
    relay = new TcpRelay(direct, 5432);
    await relay.open();
    const viaRelay = new URL(direct);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(relay.port);
    srv = new TestServer({ databaseUrl: viaRelay.toString(), sendRate: 0 });
    await srv.start();
  });

  afterAll(async () => {
    await srv.dispose();
    await relay.cut();
    await probe.dispose(); // drops the schema
  });

  it('answers sends with a retryable error while it is away, acknowledges nothing it did not store, and recovers', async () => {
    const [alice, bob] = [await srv.user('pf'), await srv.user('pf')];
    const a = await srv.device(alice);
    const b = await srv.device(bob);
    const conv = pconv(alice.userId, bob.userId);
    const before = await a.sendText(conv, 'before the outage');
    expect((await srv.http('GET', '/healthz')).status).toBe(200);

    await relay.cut();
    const clientMsgId = randomUUID();
    const refused = await a.req('send', { convId: conv, clientMsgId, kind: 'text', body: { text: 'during the outage' } }, 30_000);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(RETRYABLE_CODES.has(refused.error.code as never), refused.error.code).toBe(true);
    expect((await srv.http('GET', '/healthz')).status).toBe(503);
    // The connections stay open: the client retries, it does not sign in again.
    expect(a.isOpen && b.isOpen).toBe(true);

    await relay.open();
    let ack: { seq: number } | null = null;
    for (let i = 0; i < 100 && !ack; i++) {
      const answer = await a.req('send', { convId: conv, clientMsgId, kind: 'text', body: { text: 'during the outage' } }, 30_000);
      if (answer.ok) ack = answer.body as { seq: number };
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(ack?.seq).toBe(before.seq + 1);
    const again = await a.req('send', { convId: conv, clientMsgId, kind: 'text', body: { text: 'during the outage' } });
    expect(again.ok && (again.body as { seq: number }).seq).toBe(before.seq + 1);
    expect(await b.nextEvent('msg', (m) => m.seq === before.seq + 1)).toMatchObject({ body: { text: 'during the outage' } });
    expect((await b.history(conv)).map((e) => e.body)).toEqual([{ text: 'before the outage' }, { text: 'during the outage' }]);
    expect((await srv.http('GET', '/healthz')).status).toBe(200);
  }, 60_000);
});
