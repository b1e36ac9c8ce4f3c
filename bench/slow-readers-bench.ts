/**
 * `npm run bench:slow-readers`: the server's memory under the resource limits (docs/protocol.md part 2, "Resource
 * limits") against clients that ask for a lot and never read. Starts the real server (server/src/cli.ts) as a child
 * process with the default limits, except the per-address limit: every connection comes from 127.0.0.1, so
 * PARLEY_MAX_CONNECTIONS_PER_IP is raised to let them all in (and the run says so). Then:
 *   1. a writer stores 100 entries of 8,000 three-byte characters in a group (a history page of about 2.4 MB);
 *   2. 50 members open 20 connections each (the per-user limit), 1,000 in all, say hello, stop reading, and each
 *      asks for the latest page `--pages` times (12 by default);
 *   3. while they hold on, a bystander pair keeps chatting; the server's VmRSS, its unsent output
 *      (parley_unsent_bytes) and its sheddings (parley_connections_shed_total) are sampled every 250 ms.
 * Prints the figures and rewrites the "## Slow readers (npm run bench:slow-readers)" section of BENCHMARKS.md.
 *
 * Options: --readers N (1000) --pages N (12) --seconds S (20: how long the readers hold on) --no-write
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { hasChanges, headCommit, replaceSection } from './benchmarks-file.js';
import { RawWs } from './raw-ws.js';
import { percentiles } from './server-common.js';
import { readyPort } from './bench-procs.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECTION_TITLE = '## Slow readers (npm run bench:slow-readers)';
const PER_USER = 20;
const MiB = 1024 * 1024;

const { values: opts } = parseArgs({
  options: {
    readers: { type: 'string', default: '1000' },
    pages: { type: 'string', default: '12' },
    seconds: { type: 'string', default: '20' },
    'no-write': { type: 'boolean', default: false },
  },
  strict: true,
});
const readers = Math.max(1, Number(opts.readers));
const pages = Math.max(1, Number(opts.pages));
const holdSeconds = Math.max(1, Number(opts.seconds));
const perIpLimit = readers + 100;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
}

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const env = {
    ...process.env,
    PARLEY_SEND_RATE: '0',
    PARLEY_LOG_LEVEL: 'warn',
    // The one limit raised: all the readers connect from 127.0.0.1.
    PARLEY_MAX_CONNECTIONS_PER_IP: String(perIpLimit),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli.ts', '--port', '0', '--data', dataDir], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await readyPort(child);
  return { child, url: `http://127.0.0.1:${port}` };
}

async function register(url: string, userId: string): Promise<string> {
  const res = await fetch(`${url}/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId, password: 'slow readers bench', name: userId }),
  });
  if (res.status !== 201) throw new Error(`register ${userId}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** /metrics as text, on a connection of its own (a kept-alive one may be dropped by a busy server as it is reused). */
function metricsText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/metrics`, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function metrics(url: string): Promise<{ live: number; releasing: number; shed: number; shedOwn: number; pausedOutput: number; heapUsed: number; heapTotal: number; external: number }> {
  const text = await metricsText(url);
  const value = (prefix: string) => Number(text.split('\n').find((l) => l.startsWith(prefix))?.split(' ').pop() ?? 0);
  return {
    heapUsed: value('parley_nodejs_heap_size_used_bytes '),
    heapTotal: value('parley_nodejs_heap_size_total_bytes '),
    external: value('parley_nodejs_external_memory_bytes '),
    live: value('parley_unsent_bytes{state="live"}'),
    releasing: value('parley_unsent_bytes{state="releasing"}'),
    shed: value('parley_connections_shed_total{reason="server-output"}'),
    shedOwn: value('parley_connections_shed_total{reason="connection-output"}'),
    pausedOutput: value('parley_reads_paused_total{reason="output"}'),
  };
}

/** A ws client that reads (the bystanders), with request/answer correlation. */
class Client {
  private nextId = 1;
  private readonly pending = new Map<number, (frame: { ok: boolean; body?: unknown; error?: unknown }) => void>();
  onEvent: (ev: string, body: Record<string, unknown>) => void = () => undefined;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; id: number; ok: boolean; ev: string; body: Record<string, unknown> };
      if (frame.type === 'res') this.pending.get(frame.id)?.(frame);
      else this.onEvent(frame.ev, frame.body);
    });
  }
  static async open(url: string, token: string, device: string): Promise<Client> {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/ws`, { maxPayload: 64 * MiB });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const c = new Client(ws);
    await c.call('hello', { token, device: { id: device, platform: 'bench', app: 'slow-readers' }, protocol: 1 });
    return c;
  }
  call(op: string, body: unknown): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (f) => {
        this.pending.delete(id);
        if (f.ok) resolve(f.body as Record<string, unknown>);
        else reject(new Error(`${op}: ${JSON.stringify(f.error)}`));
      });
      this.ws.send(JSON.stringify({ type: 'req', id, op, body }));
    });
  }
}

/** A connection that says hello, then stops reading and asks for `pages` history pages. */
async function slowReader(url: string, token: string, device: string, convId: string): Promise<RawWs> {
  const raw = await RawWs.connect(`${url.replace('http', 'ws')}/v1/ws`, 120_000);
  const helloed = new Promise<void>((resolve, reject) => {
    raw.onFrame = (buf, start, end) => {
      const frame = JSON.parse(buf.toString('utf8', start, end)) as { id: number; ok: boolean; error?: unknown };
      if (frame.id !== 1) return;
      if (frame.ok) resolve();
      else reject(new Error(`hello: ${JSON.stringify(frame.error)}`));
    };
  });
  raw.send(JSON.stringify({ type: 'req', id: 1, op: 'hello', body: { token, device: { id: device, platform: 'bench', app: 'slow-reader' }, protocol: 1 } }));
  await helloed;
  raw.onFrame = () => undefined;
  raw.pauseReading();
  for (let i = 0; i < pages; i++) raw.send(JSON.stringify({ type: 'req', id: 2 + i, op: 'history', body: { convId, limit: 100 } }));
  return raw;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-slow-readers-'));
  const { child, url } = await startServer(dataDir);
  const pid = child.pid!;
  const raws: RawWs[] = [];
  try {
    const users = Math.ceil(readers / PER_USER);
    console.log(`slow readers: ${fmt(readers)} connections (${fmt(users)} users × ${PER_USER}), ${pages} history pages each; PARLEY_MAX_CONNECTIONS_PER_IP=${perIpLimit} (all from 127.0.0.1), other limits at their defaults`);
    const writerToken = await register(url, 'writer');
    const memberIds = Array.from({ length: users }, (_, i) => `reader${i}`);
    const tokens: string[] = [];
    for (const id of memberIds) tokens.push(await register(url, id));
    const [aliceToken, bobToken] = [await register(url, 'alice'), await register(url, 'bob')];

    const writer = await Client.open(url, writerToken, 'writer');
    await writer.call('group.create', { groupId: 'big', name: 'Big entries', members: memberIds, joinPolicy: 'invite' });
    const text = '龍'.repeat(8000);
    await Promise.all(Array.from({ length: 100 }, (_, i) => writer.call('send', { convId: 'g:big', clientMsgId: `big-${i}`, kind: 'text', body: { text } })));
    writer.ws.close();

    const alice = await Client.open(url, aliceToken, 'alice');
    const bob = await Client.open(url, bobToken, 'bob');
    await sleep(2000);
    const rssBefore = rssBytes(pid);
    const before = await metrics(url);

    let peakRss = rssBefore;
    let peakLive = 0;
    let peakReleasing = 0;
    let peakTotal = 0;
    let sampling = true;
    let samplingError: unknown = null;
    const sampler = (async () => {
      while (sampling) {
        peakRss = Math.max(peakRss, rssBytes(pid));
        const m = await metrics(url);
        peakLive = Math.max(peakLive, m.live);
        peakReleasing = Math.max(peakReleasing, m.releasing);
        peakTotal = Math.max(peakTotal, m.live + m.releasing);
        await sleep(250);
      }
    })().catch((error: unknown) => {
      samplingError = error;
    });

    // The bystanders chat throughout: the time from a send until the peer has it.
    const roundTrips: number[] = [];
    let chatting = true;
    const sentAt = new Map<string, number>();
    bob.onEvent = (ev, body) => {
      const started = sentAt.get(String(body.clientMsgId));
      if (ev === 'msg' && started !== undefined) roundTrips.push(Date.now() - started);
    };
    const chat = (async () => {
      for (let n = 0; chatting; n++) {
        const clientMsgId = `chat-${n}`;
        sentAt.set(clientMsgId, Date.now());
        await alice.call('send', { convId: 'p:alice|bob', clientMsgId, kind: 'text', body: { text: `still here ${n}` } });
        await sleep(100);
      }
    })();

    const opened = Date.now();
    let refused = 0;
    for (let i = 0; i < readers; i += 50) {
      const batch = await Promise.allSettled(
        Array.from({ length: Math.min(50, readers - i) }, (_, k) => {
          const n = i + k;
          return slowReader(url, tokens[Math.floor(n / PER_USER)]!, `slow-${n}`, 'g:big');
        }),
      );
      for (const r of batch) {
        if (r.status === 'fulfilled') {
          raws.push(r.value);
        } else {
          if (refused === 0) console.log(`  first reader that could not connect: ${(r.reason as Error).message}`);
          refused++;
        }
      }
    }
    const openSeconds = (Date.now() - opened) / 1000;
    await sleep(holdSeconds * 1000);
    const rssHeld = rssBytes(pid);
    const held = await metrics(url);
    chatting = false;
    await chat;
    sampling = false;
    await sampler;
    if (samplingError) throw samplingError;

    const rt = percentiles(roundTrips);
    const result = {
      readers,
      refused,
      pages,
      openSeconds,
      rssBefore,
      rssHeld,
      peakRss,
      peakLive,
      peakReleasing,
      peakTotal,
      live: held.live,
      releasing: held.releasing,
      shed: held.shed - before.shed,
      shedOwn: held.shedOwn - before.shedOwn,
      pausedOutput: held.pausedOutput - before.pausedOutput,
      heapUsed: held.heapUsed,
      heapTotal: held.heapTotal,
      external: held.external,
      roundTrips: rt,
      asked: readers * pages * 2.4,
    };
    console.log(
      `  server RSS ${fmt(rssBefore / MiB)} MiB before → ${fmt(rssHeld / MiB)} MiB after ${holdSeconds} s (peak ${fmt(peakRss / MiB)} MiB)\n` +
        `  unsent output: peak ${fmt(peakLive / MiB, 1)} MiB served + ${fmt(peakReleasing / MiB, 1)} MiB being released (limit 256 MiB); at the end ${fmt(held.live / MiB, 1)} + ${fmt(held.releasing / MiB, 1)} MiB\n` +
        `  V8 heap ${fmt(held.heapUsed / MiB)} MiB used of ${fmt(held.heapTotal / MiB)} MiB, external (Buffers) ${fmt(held.external / MiB)} MiB\n` +
        `  shed: ${fmt(result.shed)} for the server total, ${fmt(result.shedOwn)} for their own 16 MiB; reads paused for output ${fmt(result.pausedOutput)} times; ${refused} readers could not connect\n` +
        `  bystander send → delivery: p50 ${fmt(rt.p50, 1)} ms, p99 ${fmt(rt.p99, 1)} ms, max ${fmt(rt.max, 1)} ms over ${rt.n} messages`,
    );
    if (!opts['no-write']) writeSection(result);
  } finally {
    for (const r of raws) r.destroy();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function writeSection(r: {
  readers: number;
  refused: number;
  pages: number;
  openSeconds: number;
  rssBefore: number;
  rssHeld: number;
  peakRss: number;
  peakLive: number;
  peakReleasing: number;
  peakTotal: number;
  live: number;
  releasing: number;
  shed: number;
  shedOwn: number;
  pausedOutput: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  roundTrips: ReturnType<typeof percentiles>;
}): void {
  const head = headCommit();
  const revision = head === null ? 'an unknown revision' : `\`${head}\`${hasChanges(['server', 'protocol', 'bench']) ? ' (+ uncommitted changes)' : ''}`;
  const date = new Date().toISOString().slice(0, 10);
  const body = [
    `Measured ${date} at ${revision}, ${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}, on a machine shared with other work.`,
    '',
    `${fmt(r.readers)} connections (${fmt(Math.ceil(r.readers / PER_USER))} users × ${PER_USER}, the per-user limit) say hello, stop reading, and each asks for the latest 100 entries of a group ${r.pages} times; each page is about 2.4 MB (entries of 8,000 three-byte characters), so they ask for about ${fmt((r.readers * r.pages * 2.4) / 1024, 1)} GB. ` +
      `The server runs with the default limits except \`PARLEY_MAX_CONNECTIONS_PER_IP=${perIpLimit}\`: every connection comes from 127.0.0.1, and the default (500) would refuse half of them. They hold on for ${holdSeconds} s while a bystander pair keeps chatting.`,
    '',
    '| figure | value |',
    '|---|---|',
    `| server RSS before the readers | ${fmt(r.rssBefore / MiB)} MiB |`,
    `| server RSS with the readers held (peak) | ${fmt(r.rssHeld / MiB)} MiB (${fmt(r.peakRss / MiB)} MiB) |`,
    `| of it at the end: V8 heap used / allocated, external memory (Buffers) | ${fmt(r.heapUsed / MiB)} / ${fmt(r.heapTotal / MiB)} MiB, ${fmt(r.external / MiB)} MiB |`,
    `| unsent output, peak: served connections + shed ones in their grace period | ${fmt(r.peakLive / MiB, 1)} + ${fmt(r.peakReleasing / MiB, 1)} MiB (bounds 256 + 64 MiB; \`PARLEY_MAX_UNSENT_BYTES\`) |`,
    `| unsent output at the end | ${fmt(r.live / MiB, 1)} + ${fmt(r.releasing / MiB, 1)} MiB |`,
    `| connections shed for the server's total (1013) | ${fmt(r.shed)} |`,
    `| connections closed for their own 16 MiB | ${fmt(r.shedOwn)} |`,
    `| times a connection's reads were paused for its backed-up output | ${fmt(r.pausedOutput)} |`,
    `| readers that could not connect (hello not answered within 120 s) | ${fmt(r.refused)} |`,
    `| bystander send → delivery, p50 / p99 / max | ${fmt(r.roundTrips.p50, 1)} / ${fmt(r.roundTrips.p99, 1)} / ${fmt(r.roundTrips.max, 1)} ms (${r.roundTrips.n} messages) |`,
    '',
    'What bounds the memory: each reader gets pages built only until its output backs up (the kernel takes the first megabytes of each socket; the server stops starting requests for a connection that holds more than 1 MiB, so it holds at most about that plus one page), ' +
      'and when the server\'s total unsent output passes 256 MiB the readers holding most are shed, their sockets destroyed at once once shed ones hold more than 64 MiB. ' +
      'RSS goes above the unsent output because every page built costs several times its size in short-lived allocations (the rows, the parsed entries, the answer\'s JSON and its bytes), which the runtime reclaims at its next collections: ' +
      'at the end, the external memory beyond the unsent output is such freed-but-not-yet-collected buffers. ' +
      'Before the limits, 10 such connections asking 12 pages each took the server from 102 MB to 441 MB, and 30 of them to 1.1 GB. ' +
      'Memory is VmRSS from /proc/<server pid>/status; unsent output is `parley_unsent_bytes` from /metrics, sampled every 250 ms with the RSS. ' +
      'Output is counted where the server holds it (its socket buffers); what the kernel holds for each socket comes on top and is not the server\'s to bound.',
  ].join('\n');
  replaceSection(SECTION_TITLE, body);
  console.log(`wrote "${SECTION_TITLE}" in BENCHMARKS.md`);
}

await main();
