// `npm run test:cluster`: the cluster test (server/cluster-test) against nodes of the built server, on a fresh
// PostgreSQL database made next to PARLEY_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) and
// dropped at the end, NATS at PARLEY_TEST_NATS_URL (default nats://127.0.0.1:4222) with JetStream, and nginx
// (PARLEY_TEST_NGINX, default /usr/sbin/nginx) as the balancer. Builds the server when dist/server is stale.
// Something missing: in CI (CI set) the run fails; elsewhere it is skipped, naming what is missing and the variable
// to set. `npm run test:cluster -- --nodes 1` runs it on one node (PARLEY_TEST_CLUSTER_NODES).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DEFAULT_ADMIN_DATABASE_URL, DEFAULT_NATS_URL, DEFAULT_NGINX, ROOT, ensureBuiltServer, natsInfo, redactUrl } from './cluster-lib.js';

const { values, positionals } = parseArgs({ options: { nodes: { type: 'string' } }, allowPositionals: true, strict: false });
const database = process.env.PARLEY_TEST_DATABASE_URL || DEFAULT_ADMIN_DATABASE_URL;
const nats = process.env.PARLEY_TEST_NATS_URL || DEFAULT_NATS_URL;
const nginx = process.env.PARLEY_TEST_NGINX || DEFAULT_NGINX;

const missing: string[] = [];
try {
  const client = new pg.Client({ connectionString: database, connectionTimeoutMillis: 5000 });
  await client.connect();
  await client.end();
} catch (error) {
  missing.push(`PostgreSQL is not answering at ${redactUrl(database)} (${(error as Error).message}); set PARLEY_TEST_DATABASE_URL=postgres://user@host:port/database`);
}
const info = await natsInfo(nats);
if (!info) missing.push(`NATS is not answering at ${nats}; start nats-server -js or set PARLEY_TEST_NATS_URL=nats://host:port`);
else if (!info.jetstream) missing.push(`the NATS server at ${nats} runs without JetStream; start it with -js or set PARLEY_TEST_NATS_URL`);
try {
  fs.accessSync(nginx, fs.constants.X_OK);
} catch {
  missing.push(`nginx is not installed at ${nginx}; install it (apt-get install nginx-light) or set PARLEY_TEST_NGINX=/path/to/nginx`);
}
if (missing.length > 0) {
  if (process.env.CI) {
    console.error(`test:cluster: FAILED: ${missing.join('; ')}; CI must run the cluster test (.ci/run installs and starts them)`);
    process.exit(1);
  }
  console.log(`test:cluster: SKIPPED: ${missing.join('; ')}.`);
  process.exit(0);
}

ensureBuiltServer((line) => console.log(`test:cluster: ${line}`));
console.log(`test:cluster: ${values.nodes ?? process.env.PARLEY_TEST_CLUSTER_NODES ?? 3} nodes, PostgreSQL ${redactUrl(database)}, NATS ${nats} (${info!.version}), ${nginx}`);
const run = spawnSync('npx', ['vitest', 'run', '--config', 'server/cluster-test/vitest.config.ts', ...positionals], {
  cwd: ROOT,
  stdio: 'inherit',
  env: {
    ...process.env,
    ...(typeof values.nodes === 'string' ? { PARLEY_TEST_CLUSTER_NODES: values.nodes } : {}),
  },
});
process.exit(run.status ?? 1);
