/**
 * The protocol fuzzer (server/test/fuzz/): a bounded number of generated cases against a real server, every op's
 * schema and outside it, from several users at once while a bystander pair chats. Each case is reproducible:
 * PARLEY_FUZZ_SEED (and PARLEY_FUZZ_PATH, from a failure's report) replay it; PARLEY_FUZZ_RUNS sets the number of
 * cases. `npm run fuzz:protocol` is the longer run.
 */
import { describe, expect, it } from 'vitest';
import { useServer } from './harness.js';
import { FUZZ_OP_LIMITS, runProtocolFuzz, summaryLine } from './fuzz/run.js';

const MAX_FRAME = 256 * 1024;
const seed = process.env.PARLEY_FUZZ_SEED !== undefined ? Number(process.env.PARLEY_FUZZ_SEED) : Date.now() % 2 ** 31;
const numRuns = Number(process.env.PARLEY_FUZZ_RUNS ?? 8000);

describe('protocol fuzz', () => {
  // Sends are rate-limited as usual (RATE_LIMITED is one of the refusals the cases meet), other ops per user far above
  // the defaults (FUZZ_OP_LIMITS); chatrooms are created by joining them, so the world needs no admin API.
  // Against the built server (npm run test:built-server) the RSS bound and the unhandled-rejection trap watch this
  // process only; the server's health is then judged by its answers, its closes and the fresh client at the end.
  const srv = useServer({ maxFrameBytes: MAX_FRAME, roomAutoCreate: true, ...FUZZ_OP_LIMITS });

  it(`answers every frame within the contract and keeps serving everyone (seed ${seed}, PARLEY_FUZZ_SEED replays it)`, async () => {
    const result = await runProtocolFuzz({
      url: srv.url,
      maxFrameBytes: MAX_FRAME,
      numRuns,
      seed,
      path: process.env.PARLEY_FUZZ_PATH,
      maxActions: 8,
      rssGrowthMb: 200,
    });
    process.stdout.write(`protocol fuzz: ${summaryLine(result)}\n`);
    if (process.env.PARLEY_FUZZ_TALLY) process.stdout.write(`${JSON.stringify(result.tally, null, 1)}\n`);
    expect(result.report).toBe('');
    expect(result.problems).toEqual([]);
    // A replay (PARLEY_FUZZ_PATH) runs the one case the path names.
    expect(result.casesRun).toBe(process.env.PARLEY_FUZZ_PATH ? 1 : numRuns);
    expect(result.bystanderMessages).toBeGreaterThan(0);
  }, 300_000);
});
