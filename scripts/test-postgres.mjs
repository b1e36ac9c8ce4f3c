// `npm run test:postgres`: the server test suite and the storage tests against PostgreSQL. The run gets a fresh
// database of its own in the server PARLEY_TEST_DATABASE_URL names (default postgres://postgres@127.0.0.1:5432/test),
// dropped at the end; each test server makes a schema of its own in it (server/test/test-database.ts).
// PostgreSQL not answering: in CI (CI set) the run fails; elsewhere it is skipped, saying which variable to set.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';

const base = process.env.PARLEY_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const shown = (() => {
  const u = new URL(base);
  if (u.password) u.password = '***';
  return u.toString();
})();

async function admin(fn) {
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

try {
  await admin((c) => c.query('SELECT 1'));
} catch (error) {
  const why = `PostgreSQL is not answering at ${shown} (${error.message})`;
  if (process.env.CI) {
    console.error(`test:postgres: FAILED: ${why}; CI must run the PostgreSQL tests (.ci/run starts the server)`);
    process.exit(1);
  }
  console.log(`test:postgres: SKIPPED: ${why}. Set PARLEY_TEST_DATABASE_URL=postgres://user@host:port/database to a PostgreSQL server to run the server tests against it.`);
  process.exit(0);
}

// The cluster tests (server/test/cluster.test.ts) also need NATS: PARLEY_TEST_NATS_URL, by default the local one.
const natsUrl = process.env.PARLEY_TEST_NATS_URL || 'nats://127.0.0.1:4222';
const natsAnswers = await new Promise((resolve) => {
  const u = new URL(natsUrl);
  const socket = net.connect(Number(u.port || 4222), u.hostname);
  socket.setTimeout(3000, () => socket.destroy(new Error('timed out')));
  socket.once('data', (data) => {
    socket.destroy();
    resolve(data.toString().startsWith('INFO') ? null : 'not a NATS server');
  });
  socket.once('error', (error) => resolve(error.message));
});
if (natsAnswers !== null) {
  const why = `NATS is not answering at ${natsUrl} (${natsAnswers})`;
  if (process.env.CI) {
    console.error(`test:postgres: FAILED: ${why}; CI must run the cluster tests (.ci/run starts NATS)`);
    process.exit(1);
  }
  console.log(`test:postgres: the cluster tests will be skipped: ${why}. Set PARLEY_TEST_NATS_URL=nats://host:port to a NATS server to run them.`);
}

const name = `parley_test_${process.pid}_${randomBytes(4).toString('hex')}`;
await admin((c) => c.query(`CREATE DATABASE ${name}`));
const url = new URL(base);
url.pathname = `/${name}`;
console.log(`test:postgres: running the server tests against ${shown.replace(/\/[^/?]*(\?|$)/, `/${name}$1`)}`);
const run = spawnSync('npx', ['vitest', 'run', 'server/test', 'server/src/storage', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, PARLEY_TEST_DATABASE_URL: url.toString(), ...(natsAnswers === null ? { PARLEY_TEST_NATS_URL: natsUrl } : {}) },
});
try {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
} catch (error) {
  console.error(`test:postgres: could not drop the database ${name}: ${error.message}`);
}
process.exit(run.status ?? 1);
