/**
 * `npm run test:soak`: the convergence property (main/src/core/convergence.test.ts) with more steps and random
 * seeds, run one after another until a time or run bound. Prints each seed's verdict and a summary line; exits 1 if
 * any run diverged. PARLEY_SEED=<n> replays one seed.
 *
 * Options (environment): SOAK_MINUTES (default 10), SOAK_RUNS (default unbounded), SOAK_STEPS per run (default
 * 300), SOAK_MODE full | sends-reads (default full), SOAK_SERVER_KILLS per run (default 3), SOAK_CRASHES (client
 * SIGKILLs) per run (default 2).
 */
import { randomSeed } from '../main/src/test-support/convergence/prng.js';
import { describeResult, runConvergence, type RunResult } from '../main/src/test-support/convergence/run.js';
import type { Mode } from '../main/src/test-support/convergence/scenario.js';
import { headCommit } from './benchmarks-file.js';

const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const maxRuns = process.env.PARLEY_SEED !== undefined ? 1 : Number(process.env.SOAK_RUNS ?? Number.POSITIVE_INFINITY);
const steps = Number(process.env.SOAK_STEPS ?? 300);
const mode = (process.env.SOAK_MODE ?? 'full') as Mode;
const serverKills = Number(process.env.SOAK_SERVER_KILLS ?? 3);
const crashes = Number(process.env.SOAK_CRASHES ?? 2);

const commit = (): string => headCommit() ?? 'unknown';

async function main(): Promise<void> {
  const deadline = Date.now() + minutes * 60_000;
  const results: RunResult[] = [];
  console.log(`convergence soak: ${new Date().toISOString()} at ${commit()}, mode ${mode}, ${steps} steps a run, up to ${minutes} min`);
  while (results.length < maxRuns && Date.now() < deadline) {
    const seed = process.env.PARLEY_SEED !== undefined ? Number(process.env.PARLEY_SEED) : randomSeed();
    const result = await runConvergence({ seed, steps, mode, maxServerKills: serverKills, maxCrashes: crashes, settleMs: 30_000 });
    results.push(result);
    console.log(describeResult(result, 15));
    const stats = Object.entries(result.stats).sort().map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`  ${stats}`);
  }
  const failed = results.filter((r) => r.divergences.length > 0);
  const totalSteps = results.reduce((n, r) => n + r.steps, 0);
  console.log(
    `summary: ${results.length} runs, ${totalSteps} steps, ${failed.length} diverged` +
      (failed.length > 0 ? ` (seeds ${failed.map((r) => r.seed).join(', ')})` : '') +
      `; seeds ${results.map((r) => r.seed).join(', ')}`,
  );
  process.exitCode = failed.length > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
