/** One convergence run, start to verdict: the world, the seeded scenario, settling, and the property's checks. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkClient, checkNothingLost, type Truth } from './check.js';
import { BYSTANDER, Scenario, USERS, type Mode } from './scenario.js';
import { ServerReader } from './server-log.js';
import { World, type Client } from './world.js';

export interface RunOptions {
  seed: number;
  steps: number;
  mode: Mode;
  maxServerKills?: number;
  /** Client crashes (SIGKILL of the app in a process of its own). */
  maxCrashes?: number;
  /** How long everything may take to settle once faults stop. */
  settleMs?: number;
}

export interface RunResult {
  seed: number;
  mode: Mode;
  steps: number;
  ms: number;
  /** Everything that diverged from the property; empty when the run converged. */
  divergences: string[];
  stats: Record<string, number>;
  /** The operations and faults, step by step, written here when the run diverged (or PARLEY_CONVERGENCE_TRACE is set). */
  traceFile: string | null;
}

/** Waits until every device is online with an empty outbox and holds every conversation up to the server's last seq. */
async function settle(clients: Client[], readers: Map<string, ServerReader>, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let why = '';
  for (;;) {
    why = '';
    const lastSeqs = new Map<string, Map<string, number>>();
    for (const [user, reader] of readers) lastSeqs.set(user, new Map((await reader.conversations()).map((c) => [c.convId, c.lastSeq])));
    for (const c of clients) {
      const account = c.core?.current;
      if (!account || !account.conn.online) {
        why += `${c.name} offline; `;
        continue;
      }
      const queued = account.store.outbox.list().length;
      if (queued > 0) why += `${c.name} has ${queued} in its outbox; `;
      for (const [convId, lastSeq] of lastSeqs.get(c.userId)!) {
        const held = account.store.getConversation(convId)?.heldSeq ?? 0;
        if (held < lastSeq) why += `${c.name} holds ${convId} to ${held} of ${lastSeq}; `;
      }
    }
    if (why === '') return null;
    if (Date.now() > deadline) return why.trim();
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runConvergence(options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const world = await World.start();
  const readers = new Map<string, ServerReader>();
  const scenario = new Scenario(world, options.seed, options.mode, { maxServerKills: options.maxServerKills ?? 2, maxCrashes: options.maxCrashes ?? 1 });
  const divergences: string[] = [];
  try {
    await world.registerBystander(BYSTANDER);
    await world.addClient({ name: 'alice1', userId: 'alice' });
    await world.addClient({ name: 'alice2', userId: 'alice', login: true });
    await world.addClient({ name: 'bob', userId: 'bob' });
    await world.addClient({ name: 'carol', userId: 'carol' });
    await scenario.warmUp();
    await scenario.run(options.steps);

    for (const user of USERS) readers.set(user, await ServerReader.open(world.serverUrl, user));
    const unsettled = await settle(world.clients, readers, options.settleMs ?? 20_000);
    if (unsettled) divergences.push(`did not settle within ${options.settleMs ?? 20_000} ms: ${unsettled}`);

    for (const f of scenario.failures) divergences.push(`step ${f.step}: ${f.client} ${f.op} threw ${f.code} (${f.message})`);
    for (const f of scenario.refusals) divergences.push(`step ${f.step}: ${f.client} ${f.op} refused ${f.code} (${f.message})`);
    const truth: Truth = { byUser: new Map() };
    for (const [user, reader] of readers) truth.byUser.set(user, await reader.everything());
    divergences.push(...checkNothingLost(scenario, truth));
    for (const client of world.clients) divergences.push(...(await checkClient(client, truth, scenario.issuedWords)));
  } finally {
    for (const r of readers.values()) r.close();
    await world.close();
  }
  let traceFile: string | null = null;
  if (divergences.length > 0 || process.env.PARLEY_CONVERGENCE_TRACE) {
    traceFile = path.join(os.tmpdir(), `parley-convergence-${options.mode}-${options.seed}.log`);
    fs.writeFileSync(traceFile, [...scenario.trace, '', ...divergences].join('\n') + '\n');
  }
  return { seed: options.seed, mode: options.mode, steps: options.steps, ms: Date.now() - started, divergences, stats: scenario.stats, traceFile };
}

/** A few lines for a failing assertion or the soak's output. */
export function describeResult(r: RunResult, maxLines = 40): string {
  const head = `seed ${r.seed} (${r.mode}, ${r.steps} steps, ${r.ms} ms): ${r.divergences.length === 0 ? 'converged' : `${r.divergences.length} divergences`}`;
  const replay = `replay: PARLEY_SEED=${r.seed}${r.traceFile ? `; trace: ${r.traceFile}` : ''}`;
  const lines = r.divergences.slice(0, maxLines);
  if (r.divergences.length > maxLines) lines.push(`… ${r.divergences.length - maxLines} more`);
  return [head, replay, ...lines.map((l) => `  ${l}`)].join('\n');
}
