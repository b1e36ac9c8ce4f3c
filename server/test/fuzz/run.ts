/**
 * The protocol fuzz against a running server: builds a world (world.ts), runs fast-check cases of actions
 * (actions.ts) on the fuzzing connections while a bystander pair chats, and checks after each case and at the end
 * what docs/protocol.md promises: every frame answered (success, or a documented refusal; BAD_REQUEST for what is
 * malformed or outside the op's schema; never INTERNAL, never silence), every answer and event inside protocol/'s
 * schemas, frames over the limit closed with 1009 and nothing else closed, the bystanders' messages all delivered in
 * order, no unhandled rejection in this process, memory bounded, and a fresh client served afterwards.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import WebSocket from 'ws';
import { parseAnswer, parseRequestBody, requestFrameValidator } from '../../../protocol/index.js';
import { actionArbitrary, type Action, type Pools } from './actions.js';
import { clip, count, predict } from './fuzz-conn.js';
import { buildWorld, call, pconv, register, replaceConn, signedIn, WAIT_MS, wsUrl, type World } from './world.js';

/**
 * The per-user op limits (docs/protocol.md part 2, "Resource limits") raised for the fuzzer's servers: a few users
 * send thousands of cases a minute, and at the defaults most group and room ops would be answered RATE_LIMITED before
 * their handlers were exercised. server/test/limits.test.ts tests the limits themselves.
 */
export const FUZZ_OP_LIMITS = { fetchRate: 2000, fetchBurst: 2000, signalRate: 2000, signalBurst: 2000, changeRate: 2000, changeBurst: 2000 } as const;

export interface FuzzOptions {
  /** The server's http://host:port. */
  url: string;
  /** The server's frame limit, as configured. */
  maxFrameBytes: number;
  numRuns: number;
  seed: number;
  /** fast-check's replay path of a failure (with its seed). */
  path?: string;
  /** Actions per case, at most. */
  maxActions: number;
  /** Growth of this process's RSS allowed after the warm-up cases (MB); the server must be in this process to be measured. */
  rssGrowthMb: number;
  /** Stop starting new cases after this long (ms). */
  timeLimitMs?: number;
}

export interface FuzzResult {
  seed: number;
  ok: boolean;
  /** fast-check's report of a failing case (seed, path, counterexample), or the first problems found after the cases. */
  report: string;
  problems: string[];
  casesRun: number;
  tally: Record<string, number>;
  rssStartMb: number;
  /** After the warm-up cases (null when the run ended before). */
  rssWarmMb: number | null;
  rssEndMb: number;
  bystanderMessages: number;
  ms: number;
}

/** RSS in bytes, after a full collection where the process allows one (node --expose-gc), so garbage is not counted. */
function rss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

/** 0 < byte length ≤ limit: the frame is read; past it the server closes with 1009. */
function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function poolsOf(world: World): Pools {
  return { ...world.pools, groupIds: world.groupIds, roomIds: world.roomIds };
}

/** The first frame of a fresh connection: a good hello is answered ok; anything else UNAUTHENTICATED and 4401. */
async function preHello(world: World, maxFrameBytes: number, text: string): Promise<void> {
  const { problems } = world.sink;
  const sent = Buffer.from(text, 'utf8').toString('utf8');
  const about = `pre-hello ${clip(sent, 200)}`;
  let value: unknown;
  let mayPass = false;
  try {
    value = JSON.parse(sent);
    if (requestFrameValidator.check(value) && value.op === 'hello') {
      const body = parseRequestBody('hello', value.body ?? {});
      mayPass = world.pools.tokens.includes(body.token);
    }
  } catch {
    mayPass = false;
  }
  const expectedId = predict(sent).id;
  const ws = new WebSocket(wsUrl(world.url));
  ws.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('close', () => reject(new Error('closed before open')));
    });
  } catch (error) {
    problems.push(`${about}: could not connect: ${(error as Error).message}`);
    return;
  }
  const first = new Promise<string | null>((resolve) => {
    ws.once('message', (data) => resolve((data as Buffer).toString('utf8')));
    ws.once('close', () => resolve(null));
  });
  ws.send(sent);
  count(world.sink, 'pre-hello frames');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), WAIT_MS).unref());
  const oversize = bytes(sent) > maxFrameBytes;
  const answer = await Promise.race([first, timeout]);
  if (answer === 'timeout') {
    problems.push(`${about}: no answer and no close within ${WAIT_MS} ms`);
    ws.terminate();
    return;
  }
  if (oversize) {
    const code = await Promise.race([closed, timeout]);
    if (code !== 1009) problems.push(`${about}: a frame over the limit must close with 1009, got ${code}`);
    return;
  }
  if (answer === null) {
    problems.push(`${about}: closed (${await closed}) without an answer`);
    return;
  }
  const frame = JSON.parse(answer) as { type: string; id: number; ok: boolean; body?: unknown; error?: { code: string } };
  if (frame.type !== 'res' || frame.id !== expectedId) problems.push(`${about}: answered ${clip(answer)}, expected an answer with id ${expectedId}`);
  if (frame.ok) {
    if (!mayPass) problems.push(`${about}: accepted a hello that must be refused: ${clip(answer)}`);
    try {
      parseAnswer('hello', frame.body);
    } catch (error) {
      problems.push(`${about}: ${(error as Error).message}`);
    }
    count(world.sink, 'pre-hello ok');
    ws.close(1000);
    return;
  }
  count(world.sink, `pre-hello ${frame.error?.code}`);
  if (mayPass) problems.push(`${about}: a hello with a valid token and body was refused: ${clip(answer)}`);
  if (frame.error?.code !== 'UNAUTHENTICATED') problems.push(`${about}: refused with ${frame.error?.code}, expected UNAUTHENTICATED`);
  const code = await Promise.race([closed, timeout]);
  if (code !== 4401) problems.push(`${about}: after a refused hello the connection must close with 4401, got ${code}`);
}

/** A frame over the limit on a fuzzing connection: closed with 1009, then replaced. */
async function overLimit(world: World, slot: number, text: string, maxFrameBytes: number): Promise<void> {
  const conn = world.conns[slot]!;
  await conn.drained(WAIT_MS);
  conn.closeExpected = true;
  conn.ws.send(text);
  count(world.sink, 'oversize frames');
  const code = await Promise.race([conn.closed.then((c) => c.code), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), WAIT_MS).unref())]);
  if (code !== 1009) world.sink.problems.push(`${conn.label}: a ${bytes(text)}-byte frame (limit ${maxFrameBytes}) must close with 1009, got ${code}`);
  await replaceConn(world, slot);
}

/** Sends one frame on a fuzzing connection, keeping the bookkeeping honest (ids, the malformed-frame budget). */
async function sendOn(world: World, slot: number, data: string | Buffer, maxFrameBytes: number): Promise<void> {
  if (typeof data === 'string' && bytes(data) > maxFrameBytes) return overLimit(world, slot, data, maxFrameBytes);
  let conn = world.conns[slot]!;
  const p = predict(data);
  if (p.malformed && conn.malformedSent >= 20) {
    // The server closes past 20 malformed frames a minute (errors.test.ts covers it); a fresh device carries on.
    await conn.drained(WAIT_MS);
    await replaceConn(world, slot);
    conn = world.conns[slot]!;
  }
  if (conn.hasPending(p.id)) await conn.drained(WAIT_MS); // an answer must name one frame
  conn.send(data);
}

function requestId(world: World, style: 'plain' | 'negative' | 'big'): number {
  const n = world.ids.next();
  return style === 'plain' ? n : style === 'negative' ? -n : n + 2 ** 40;
}

async function runCase(world: World, actions: Action[], maxFrameBytes: number): Promise<void> {
  const bursts: Array<Promise<void>> = [];
  for (const a of actions) {
    switch (a.t) {
      case 'req':
        await sendOn(world, a.slot, JSON.stringify({ type: 'req', id: requestId(world, a.idStyle), op: a.op, body: a.body }), maxFrameBytes);
        break;
      case 'envelope':
        await sendOn(world, a.slot, JSON.stringify(a.freshId ? { ...a.frame, id: world.ids.next() } : a.frame), maxFrameBytes);
        break;
      case 'burst': {
        // Pipelined sends of one connection are stored in arrival order: the acknowledged seqs grow.
        const seqs: Array<number | null> = Array.from({ length: a.n }, () => null);
        const conn = world.conns[a.slot]!;
        for (let i = 0; i < a.n; i++) {
          const body = { convId: a.convId, clientMsgId: `burst-${world.ids.next()}`, kind: 'text', body: { text: `burst ${i}` } };
          conn.send(JSON.stringify({ type: 'req', id: world.ids.next(), op: 'send', body }), (answer) => {
            if (answer.ok) seqs[i] = answer.body.seq as number;
          });
        }
        bursts.push(
          conn.drained(WAIT_MS).then(() => {
            const acked = seqs.filter((x): x is number => x !== null);
            if (acked.some((x, i) => i > 0 && x <= acked[i - 1]!)) world.sink.problems.push(`${conn.label}: pipelined sends into ${a.convId} acknowledged out of order: seqs ${acked.join(', ')}`);
          }),
        );
        break;
      }
      case 'raw':
        await sendOn(world, a.slot, a.text, maxFrameBytes);
        break;
      case 'binary':
        await sendOn(world, a.slot, Buffer.from(a.bytes), maxFrameBytes);
        break;
      case 'oversize': {
        const unit = bytes(a.pad);
        await overLimit(world, a.slot, JSON.stringify({ type: 'req', id: world.ids.next(), op: 'sync', body: { pad: a.pad.repeat(Math.ceil((maxFrameBytes + 64) / unit)) } }), maxFrameBytes);
        break;
      }
      case 'prehello':
        await preHello(world, maxFrameBytes, a.frame);
        break;
    }
  }
  await Promise.all(world.conns.map((c) => c.drained(WAIT_MS)));
  await Promise.all(bursts);
  for (const [slot, c] of world.conns.entries()) {
    if (c.closeInfo) {
      if (!c.closeExpected) world.sink.problems.push(`${c.label}: closed by the server (${c.closeInfo.code} ${c.closeInfo.reason})`);
      await replaceConn(world, slot);
    }
  }
}

/** Shows an action list compactly (long strings clipped), for a report. */
export function describeActions(actions: Action[]): string {
  return actions
    .map((a) => {
      const s = JSON.stringify(a, (_k, v: unknown) => (typeof v === 'string' && v.length > 120 ? `${v.slice(0, 120)}…(${v.length})` : v));
      return `  ${clip(s, 600)}`;
    })
    .join('\n');
}

/** A fresh user after the run: hello, a send to a bystander, and the bystander's log has it. */
async function freshClientServed(world: World): Promise<void> {
  const user = await register(world.url, `fresh${randomUUID().slice(0, 8)}`);
  const c = await signedIn(world.url, user, `fresh client ${user.userId}`, world.sink, world.ids);
  const convId = pconv(user.userId, world.bystanders.a.userId);
  const ack = await call(c, world.ids, 'send', { convId, clientMsgId: randomUUID(), kind: 'text', body: { text: 'after the fuzz' } });
  const page = (await call(c, world.ids, 'history', { convId, limit: 5 })).messages as Array<{ seq: number }>;
  if (!page.some((m) => m.seq === ack.seq)) world.sink.problems.push(`fresh client: its message (seq ${String(ack.seq)}) is not in the log`);
  c.close();
  const health = await fetch(`${world.url}/healthz`);
  if (health.status !== 200) world.sink.problems.push(`/healthz answered ${health.status} after the fuzz`);
}

export async function runProtocolFuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const started = Date.now();
  const unhandled: string[] = [];
  const onRejection = (reason: unknown) => unhandled.push(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  const onException = (error: Error) => unhandled.push(`uncaught exception: ${error.stack ?? error.message}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  const tag = randomUUID().slice(0, 6);
  let world: World | null = null;
  let report = '';
  let casesRun = 0;
  const rssStart = rss();
  // The bound is on growth after a warm-up (the heap, caches and the database settle in the first cases): a leak
  // grows on; the start is reported too.
  const warmup = Math.min(500, Math.ceil(opts.numRuns / 10));
  let rssWarm: number | null = null;
  try {
    world = await buildWorld(opts.url, tag);
    const w = world;
    const cases = fc.array(actionArbitrary({ pools: poolsOf(w), slots: w.conns.length, maxFrameBytes: opts.maxFrameBytes }), { minLength: 1, maxLength: opts.maxActions });
    const property = fc.asyncProperty(cases, async (actions) => {
      casesRun++;
      if (casesRun === warmup) rssWarm = rss();
      const before = w.sink.problems.length;
      w.bystanders.tick(); // a round of their chat, unless one is still under way (their sends are rate-limited too)
      await runCase(w, actions, opts.maxFrameBytes);
      const found = w.sink.problems.slice(before);
      if (found.length > 0) throw new Error(`${found.length} problem(s):\n${found.slice(0, 8).join('\n')}\nthe case:\n${describeActions(actions)}`);
    });
    const details = await fc.check(property, {
      seed: opts.seed,
      path: opts.path,
      numRuns: opts.numRuns,
      endOnFailure: true,
      interruptAfterTimeLimit: opts.timeLimitMs,
      markInterruptAsFailure: false,
    });
    if (details.failed) {
      const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      report = [
        `protocol fuzz failed after ${details.numRuns} case(s): replay with PARLEY_FUZZ_SEED=${details.seed} PARLEY_FUZZ_PATH=${details.counterexamplePath ?? ''}`,
        clip(error, 6000),
      ].join('\n');
    }
    await w.bystanders.settle();
    await w.bystanders.verify();
    await freshClientServed(w);
  } catch (error) {
    world?.sink.problems.push(`run aborted: ${(error as Error).stack ?? String(error)}`);
    if (!world) report = `run aborted before the world was built: ${(error as Error).stack ?? String(error)}`;
  } finally {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  }
  const problems = [...(world?.sink.problems ?? []), ...unhandled];
  const rssEnd = rss();
  const growthMb = (rssEnd - (rssWarm ?? rssStart)) / 2 ** 20;
  if (growthMb > opts.rssGrowthMb) problems.push(`RSS grew by ${growthMb.toFixed(0)} MB after the first ${warmup} cases (bound ${opts.rssGrowthMb} MB)`);
  if (world) {
    for (const c of world.conns) c.close();
    world.bystanders.close();
  }
  if (!report && problems.length > 0) report = `seed ${opts.seed}: ${problems.length} problem(s) after the cases:\n${problems.slice(0, 10).join('\n')}`;
  return {
    seed: opts.seed,
    ok: problems.length === 0 && report === '',
    report,
    problems,
    casesRun,
    tally: world?.sink.tally ?? {},
    rssStartMb: Math.round(rssStart / 2 ** 20),
    rssWarmMb: rssWarm === null ? null : Math.round(rssWarm / 2 ** 20),
    rssEndMb: Math.round(rssEnd / 2 ** 20),
    bystanderMessages: world?.bystanders.sent ?? 0,
    ms: Date.now() - started,
  };
}

/** One line of a result, for logs. */
export function summaryLine(r: FuzzResult): string {
  const answers = Object.entries(r.tally)
    .filter(([k]) => k.startsWith('answer '))
    .sort((x, y) => y[1] - x[1])
    .map(([k, v]) => `${k.slice(7)}=${v}`)
    .join(' ');
  return `seed ${r.seed}: ${r.ok ? 'ok' : 'FAILED'}, ${r.casesRun} cases, ${r.tally.frames ?? 0} frames (${answers}), ${r.tally['pre-hello frames'] ?? 0} pre-hello, ${r.tally['oversize frames'] ?? 0} oversize, ${r.bystanderMessages} bystander messages, RSS ${r.rssStartMb}→${r.rssWarmMb ?? '-'}→${r.rssEndMb} MB (start→warm→end), ${(r.ms / 1000).toFixed(1)} s`;
}
