/**
 * "Every device shows the same conversation": a seeded, model-based property test. Two devices of alice, one of
 * bob and one of carol (real ClientCores on real SQLite files) act at random through the IPC handler table against
 * a real server process, while sockets drop, networks are cut, apps restart and the server is SIGKILLed. Once the
 * faults stop and everything has settled, each device must show what the server's log says (see
 * test-support/convergence/check.ts). PARLEY_SEED=<n> replays one seed (as far as scheduling allows); a failure
 * prints the seed and writes the step-by-step trace to a file. `npm run test:soak` runs many more random seeds.
 */
import { describe, expect, it } from 'vitest';
import { describeResult, runConvergence } from '../test-support/convergence/run.js';

const replay = process.env.PARLEY_SEED === undefined ? null : Number(process.env.PARLEY_SEED);
const seeds = (fixed: number[]): number[] => (replay === null ? fixed : [replay]);

describe('convergence of every device with the server log', () => {
  // The harness itself: sends, replies and reads under every fault, which the client already handles.
  it.each(seeds([1, 2]))('sends and reads under faults converge (seed %i)', async (seed) => {
    const result = await runConvergence({ seed, steps: 70, mode: 'sends-reads', maxServerKills: 1 });
    expect(result.divergences, describeResult(result)).toEqual([]);
  }, 90_000);

  // The property: edits (several in a row), recalls and group operations too, offline as well as online.
  it.each(seeds([11, 12]))('sends, edits, recalls, reads and group operations under faults converge (seed %i)', async (seed) => {
    const result = await runConvergence({ seed, steps: 80, mode: 'full', maxServerKills: 1, settleMs: 10_000 });
    expect(result.divergences, describeResult(result)).toEqual([]);
  }, 90_000);
});
