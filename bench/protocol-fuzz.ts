/**
 * `npm run fuzz:protocol`: the protocol fuzzer of server/test/fuzz.test.ts, longer. One server (in this process,
 * so its memory and unhandled rejections are this process's) serves run after run, each with a fresh world and a
 * random seed, until a time bound. Prints each seed's verdict and a summary line; exits 1 if any run failed.
 * PARLEY_FUZZ_SEED=<n> (with PARLEY_FUZZ_PATH=<path> from a failure's report) replays one run.
 *
 * Options (environment): FUZZ_MINUTES (default 5), FUZZ_RUNS cases per seed (default 20000), FUZZ_MAX_ACTIONS per
 * case (default 10), FUZZ_RSS_MB growth allowed per seed (default 200) and over the whole run (twice that).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../server/src/app.js';
import { FUZZ_OP_LIMITS, runProtocolFuzz, summaryLine, type FuzzResult } from '../server/test/fuzz/run.js';
import { headCommit } from './benchmarks-file.js';

const MAX_FRAME = 256 * 1024;
const minutes = Number(process.env.FUZZ_MINUTES ?? 5);
const runsPerSeed = Number(process.env.FUZZ_RUNS ?? 20_000);
const maxActions = Number(process.env.FUZZ_MAX_ACTIONS ?? 10);
const rssMb = Number(process.env.FUZZ_RSS_MB ?? 200);
const replay = process.env.PARLEY_FUZZ_SEED !== undefined ? Number(process.env.PARLEY_FUZZ_SEED) : null;

const commit = (): string => headCommit() ?? 'unknown';

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-fuzz-'));
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent', maxFrameBytes: MAX_FRAME, roomAutoCreate: true, passwordCost: 10, registerPerIpPerHour: 0, registerPerMinute: 0, hashQueue: 1000, ...FUZZ_OP_LIMITS });
  const deadline = Date.now() + minutes * 60_000;
  const rssStart = process.memoryUsage().rss;
  const results: FuzzResult[] = [];
  console.log(`protocol fuzz: ${new Date().toISOString()} at ${commit()}, up to ${runsPerSeed} cases a seed, up to ${minutes} min, server ${server.url}`);
  try {
    do {
      const seed = replay ?? Math.floor(Math.random() * 2 ** 31);
      const result = await runProtocolFuzz({
        url: server.url,
        maxFrameBytes: MAX_FRAME,
        numRuns: runsPerSeed,
        seed,
        path: process.env.PARLEY_FUZZ_PATH,
        maxActions,
        rssGrowthMb: rssMb,
        timeLimitMs: Math.max(1000, deadline - Date.now()),
      });
      results.push(result);
      console.log(summaryLine(result));
      if (!result.ok) console.log(result.report.split('\n').map((l) => `  ${l}`).join('\n'));
    } while (replay === null && Date.now() < deadline);
  } finally {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const failed = results.filter((r) => !r.ok);
  const growth = (process.memoryUsage().rss - rssStart) / 2 ** 20;
  const cases = results.reduce((n, r) => n + r.casesRun, 0);
  const frames = results.reduce((n, r) => n + (r.tally.frames ?? 0), 0);
  const rssOk = growth <= 2 * rssMb;
  console.log(
    `summary: ${results.length} seed(s), ${cases} cases, ${frames} frames, ${failed.length} failed${failed.length ? ` (seeds ${failed.map((r) => r.seed).join(', ')})` : ''}, RSS growth ${growth.toFixed(0)} MB${rssOk ? '' : ` over the bound of ${2 * rssMb} MB`}`,
  );
  process.exitCode = failed.length === 0 && rssOk ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
