// `npm run cluster -- --nodes 3`: a local Parley cluster behind nginx (scripts/cluster-lib.ts), until Ctrl+C.
// Builds the server first when dist/server is missing or stale. The database is made fresh (and dropped at the end
// unless --keep) next to PARLEY_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), or --database
// names one to use. PARLEY_* variables of this shell are passed on to the nodes (e.g. PARLEY_SEND_RATE=0).
import { parseArgs } from 'node:util';
import { DEFAULT_NATS_URL, DEFAULT_NGINX, ensureBuiltServer, natsInfo, redactUrl, startCluster } from './cluster-lib.js';

const USAGE = `Usage: npm run cluster -- [options]
  --nodes <n>        server nodes (default 3)
  --database <url>   use this PostgreSQL database (kept) instead of a fresh one
  --nats <url>       NATS server (default ${DEFAULT_NATS_URL})
  --nats-prefix <p>  subject prefix (default: unique per run)
  --data <dir>       data directory the nodes share (default: a temporary directory)
  --port <n>         the load balancer's port (default: a free one)
  --nginx <path>     nginx binary (default ${DEFAULT_NGINX})
  --log-level <lvl>  the nodes' log level (default warn), printed with the node's number
  --keep             keep the fresh database and the temporary directory`;

let values;
try {
  ({ values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '3' },
      database: { type: 'string' },
      nats: { type: 'string', default: DEFAULT_NATS_URL },
      'nats-prefix': { type: 'string' },
      data: { type: 'string' },
      port: { type: 'string' },
      nginx: { type: 'string', default: DEFAULT_NGINX },
      'log-level': { type: 'string', default: 'warn' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  console.error(`cluster: ${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const nodes = Number(values.nodes);
if (!Number.isInteger(nodes) || nodes < 1) {
  console.error(`cluster: --nodes must be a positive integer\n\n${USAGE}`);
  process.exit(2);
}

const nats = await natsInfo(values.nats);
if (!nats) console.warn(`cluster: warning: no NATS server answers at ${values.nats}; nodes will not see each other's events`);
else if (!nats.jetstream) console.warn(`cluster: warning: the NATS server at ${values.nats} runs without JetStream (-js)`);

ensureBuiltServer((line) => console.log(`cluster: ${line}`));

const passOn: Record<string, string> = { PARLEY_LOG_LEVEL: values['log-level'] };
for (const [k, v] of Object.entries(process.env)) if (k.startsWith('PARLEY_') && k !== 'PARLEY_TEST_DATABASE_URL' && v !== undefined) passOn[k] = v;

const cluster = await startCluster({
  nodes,
  databaseUrl: values.database,
  natsUrl: values.nats,
  natsPrefix: values['nats-prefix'],
  dataDir: values.data,
  port: values.port === undefined ? undefined : Number(values.port),
  nginx: values.nginx,
  keep: values.keep,
  env: passOn,
  onNodeLog: (n, line) => process.stderr.write(`[node${n}] ${line}\n`),
}).catch((error: unknown) => {
  console.error(`cluster: failed to start: ${(error as Error).message}`);
  process.exit(1);
});

console.log(`load balancer  ${cluster.url}   (nginx pid ${cluster.nginxPid}, ${cluster.nginxConfigFile})`);
for (const n of cluster.nodes) console.log(`node ${n.index}         ${n.url}   (pid ${n.pid})`);
console.log(`database       ${redactUrl(cluster.databaseUrl)}${values.database || values.keep ? '' : ' (dropped at the end)'}`);
console.log(`nats           ${cluster.natsUrl}   prefix ${cluster.natsPrefix}`);
console.log(`data           ${cluster.dataDir}`);
console.log('Ctrl+C stops everything.');

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\ncluster: ${signal}: stopping`);
  cluster.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`cluster: unclean stop: ${(error as Error).message}`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
// A node that dies on its own is reported (nginx skips it meanwhile).
const reported = new Set<number>();
const watch = setInterval(() => {
  for (const n of cluster.nodes) {
    if (!n.running && !stopping && !reported.has(n.index)) {
      reported.add(n.index);
      console.error(`cluster: node ${n.index} stopped: ${n.diagnostics.slice(-500)}`);
    }
  }
}, 2000);
watch.unref();
