/**
 * `npm run bench:directory`: how long `users.search` takes over a directory of 100,000 users (issue 14's aim: p95 ≤ 50 ms
 * on the server), on SQLite and, when it answers, PostgreSQL.
 *
 * A real server process is started per storage; its users table is filled directly (Chinese names of two or three
 * characters, Latin names with accents, ids u000000…), folded as the server folds them, then one signed-in searcher
 * sends queries one at a time over a WebSocket and times each round trip (so figures include the loopback and both
 * JSON codecs: the server's own share is lower). The queries mix what people type: a two-character Chinese given
 * name, a one-character surname (thousands of matches), Latin substrings, an id prefix, an exact id, a miss, and the
 * second page of a common query.
 *
 *   --users N (default 100000) --queries N per kind (default 60) --storage sqlite|postgres|both (default both)
 *   --write (record into BENCHMARKS.md) --keep (leave the PostgreSQL database and the data directory, to EXPLAIN)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import WebSocket from 'ws';
import { foldName } from '../server/src/storage/name-fold.js';
import { adminRequest, machine, readyPort, rssBytes } from './bench-procs.js';
import { hasChanges, headCommit, replaceSection } from './benchmarks-file.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECTION_TITLE = '## Directory search (npm run bench:directory)';
const APP_KEY = 'bench-directory';
const APP_SECRET = randomBytes(16).toString('hex');
const PG_BASE = process.env.PARLEY_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const { values: opts } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '60' },
    storage: { type: 'string', default: 'both' },
    write: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const USERS = Number(opts.users);
const PER_KIND = Number(opts.queries);

// --- names

/** A small deterministic generator, so every run searches the same directory. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈'];
const GIVEN = [...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽小'];
const FIRST = ['José', 'María', 'Zoë', 'Chloé', 'André', 'Søren', 'Anna', 'James', 'Mary', 'Robert', 'Linda', 'Michael', 'Élodie', 'Björn', 'Ana', 'Jürgen', 'Noël', 'Amélie', 'Marco', 'Lucía'];
const LAST = ['García', 'Smith', 'Müller', 'Rossi', 'Dubois', 'Novák', 'Chen', 'Wang', 'Kim', 'Nguyen', 'Silva', 'Johansson', 'Martin', 'López', 'Brown', 'Wilson', 'Øberg', 'Schäfer', 'Costa', 'Ivanov'];

function nameOf(i: number, rand: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  if (i % 2 === 0) return pick(SURNAMES) + pick(GIVEN) + (rand() < 0.6 ? pick(GIVEN) : '');
  return `${pick(FIRST)} ${pick(LAST)}`;
}

const userId = (i: number) => `u${String(i).padStart(6, '0')}`;

// --- the server and its directory

interface Running {
  child: ChildProcess;
  port: number;
  dataDir: string;
  databaseUrl: string | null;
  dropDatabase: () => Promise<void>;
}

async function startServer(storage: 'sqlite' | 'postgres'): Promise<Running> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-dirbench-'));
  let databaseUrl: string | null = null;
  let dropDatabase = async () => undefined;
  if (storage === 'postgres') {
    const name = `parley_dirbench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_BASE });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(PG_BASE);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: PG_BASE });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PARLEY_APP_KEY: APP_KEY,
    PARLEY_APP_SECRET: APP_SECRET,
    PARLEY_LOG_LEVEL: 'warn',
    // One searcher asks as fast as answers come: the per-user op limit would time the limiter, not the search.
    PARLEY_FETCH_RATE: '0',
    ...(databaseUrl ? { PARLEY_DATABASE_URL: databaseUrl } : {}),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli.ts', '--port', '0', '--data', dataDir], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await readyPort(child);
  return { child, port, dataDir, databaseUrl, dropDatabase };
}

async function stopServer(r: Running): Promise<void> {
  const exited = new Promise<void>((resolve) => r.child.once('exit', () => resolve()));
  r.child.kill('SIGTERM');
  await exited;
  if (opts.keep) {
    console.log(`kept ${r.databaseUrl ?? path.join(r.dataDir, 'parley.db')}`);
    return;
  }
  await r.dropDatabase();
  fs.rmSync(r.dataDir, { recursive: true, force: true });
}

/** Writes the users straight into the server's tables (the admin API would take minutes for 100,000). */
async function fill(r: Running, count: number): Promise<void> {
  const rand = prng(14);
  const rows = Array.from({ length: count }, (_, i) => {
    const name = nameOf(i, rand);
    return { id: userId(i), name, folded: foldName(name) };
  });
  const now = Date.now();
  if (!r.databaseUrl) {
    const db = new Database(path.join(r.dataDir, 'parley.db'));
    db.pragma('busy_timeout = 10000');
    const insert = db.prepare('INSERT INTO users (user_id, name, avatar, password_hash, created_at, name_folded) VALUES (?, ?, NULL, NULL, ?, ?)');
    db.transaction(() => {
      for (const row of rows) insert.run(row.id, row.name, now, row.folded);
    })();
    db.close();
    return;
  }
  const c = new pg.Client({ connectionString: r.databaseUrl });
  await c.connect();
  for (let i = 0; i < rows.length; i += 10_000) {
    const batch = rows.slice(i, i + 10_000);
    await c.query(
      'INSERT INTO users (user_id, name, avatar, password_hash, created_at, name_folded) SELECT id, name, NULL, NULL, $4, folded FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, name, folded)',
      [batch.map((b) => b.id), batch.map((b) => b.name), batch.map((b) => b.folded), now],
    );
  }
  await c.query('ANALYZE users');
  await c.end();
}

// --- the searcher

class Searcher {
  private next = 1;
  private readonly waiting = new Map<number, (frame: { ok: boolean; body?: unknown; error?: unknown }) => void>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string; id?: number; ok: boolean };
      if (frame.type === 'res' && frame.id !== undefined) this.waiting.get(frame.id)?.(frame);
    });
  }
  static async open(port: number, token: string): Promise<Searcher> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const s = new Searcher(ws);
    await s.call('hello', { token, device: { id: 'bench-searcher', platform: 'bench', app: 'directory-bench' }, protocol: 1 });
    return s;
  }
  call(op: string, body: unknown): Promise<{ users?: unknown[]; nextCursor?: string }> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (frame) => {
        this.waiting.delete(id);
        if (frame.ok) resolve(frame.body as { users?: unknown[]; nextCursor?: string });
        else reject(new Error(`${op}: ${JSON.stringify(frame.error)}`));
      });
      this.ws.send(JSON.stringify({ type: 'req', id, op, body }));
    });
  }
  close(): void {
    this.ws.close();
  }
}

interface KindFigures {
  kind: string;
  example: string;
  p50: number;
  p95: number;
  max: number;
  results: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The query kinds, each a function of the query's index (so every storage gets the same queries). */
function queryKinds(count: number): Array<{ kind: string; query: (i: number) => { query: string; cursor?: string } }> {
  // Given names people have: the last two characters of the directory's own three-character Chinese names.
  const rand = prng(14);
  const given = Array.from({ length: 400 }, (_, i) => nameOf(2 * i, rand))
    .filter((n) => [...n].length === 3)
    .map((n) => [...n].slice(1).join(''));
  return [
    { kind: 'Chinese given name, 2 characters', query: (i) => ({ query: given[i % given.length]! }) },
    { kind: 'Chinese surname, 1 character (thousands match)', query: (i) => ({ query: SURNAMES[i % SURNAMES.length]! }) },
    { kind: 'Latin substring, folded (e.g. "jose", "muller")', query: (i) => ({ query: foldName(LAST[i % LAST.length]!).slice(0, 5) }) },
    { kind: 'id prefix', query: (i) => ({ query: userId((i * 7919) % count).slice(0, 5) }) },
    { kind: 'exact id', query: (i) => ({ query: userId((i * 104729) % count) }) },
    { kind: 'no match', query: (i) => ({ query: `zq${i}xv` }) },
  ];
}

async function measure(storage: 'sqlite' | 'postgres'): Promise<{ storage: string; fillMs: number; figures: KindFigures[]; all: { p50: number; p95: number; p99: number }; page2: { p50: number; p95: number }; rssMiB: number }> {
  const r = await startServer(storage);
  try {
    const t0 = performance.now();
    await fill(r, USERS);
    const fillMs = performance.now() - t0;
    const target = { port: r.port, appKey: APP_KEY, appSecret: APP_SECRET };
    const created = await adminRequest(target, '/v1/admin/users', { userId: 'searcher', name: 'Searcher' });
    if (created.status !== 201) throw new Error(`searcher: ${created.status}`);
    const token = ((await adminRequest(target, '/v1/admin/users/searcher/token', {})).json as { token: string }).token;
    const s = await Searcher.open(r.port, token);
    const kinds = queryKinds(USERS);
    // Warm-up: the first queries pay for page cache and plan cache.
    for (let i = 0; i < 30; i++) await s.call('users.search', kinds[i % kinds.length]!.query(i + 1000));

    const figures: KindFigures[] = [];
    const every: number[] = [];
    const page2: number[] = [];
    for (const k of kinds) {
      const times: number[] = [];
      let results = 0;
      for (let i = 0; i < PER_KIND; i++) {
        const body = k.query(i);
        const start = performance.now();
        const answer = await s.call('users.search', body);
        times.push(performance.now() - start);
        results += answer.users?.length ?? 0;
        if (answer.nextCursor && page2.length < PER_KIND) {
          const p = performance.now();
          await s.call('users.search', { ...body, cursor: answer.nextCursor });
          page2.push(performance.now() - p);
        }
      }
      times.sort((a, b) => a - b);
      every.push(...times);
      figures.push({ kind: k.kind, example: k.query(0).query, p50: quantile(times, 0.5), p95: quantile(times, 0.95), max: times.at(-1)!, results: results / PER_KIND });
    }
    s.close();
    every.sort((a, b) => a - b);
    page2.sort((a, b) => a - b);
    return {
      storage,
      fillMs,
      figures,
      all: { p50: quantile(every, 0.5), p95: quantile(every, 0.95), p99: quantile(every, 0.99) },
      page2: page2.length ? { p50: quantile(page2, 0.5), p95: quantile(page2, 0.95) } : { p50: NaN, p95: NaN },
      rssMiB: rssBytes(r.child.pid!) / 2 ** 20,
    };
  } finally {
    await stopServer(r);
  }
}

async function postgresAnswers(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_BASE, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

const ms = (v: number) => (Number.isNaN(v) ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1));

async function main(): Promise<void> {
  const wanted = opts.storage === 'both' ? ['sqlite', 'postgres'] : [opts.storage];
  const results = [];
  for (const storage of wanted as Array<'sqlite' | 'postgres'>) {
    if (storage === 'postgres' && !(await postgresAnswers())) {
      console.log(`PostgreSQL does not answer at ${PG_BASE}: skipping it (set PARLEY_TEST_DATABASE_URL)`);
      continue;
    }
    console.log(`${storage}: filling ${USERS.toLocaleString('en')} users, then ${PER_KIND} queries of each kind…`);
    results.push(await measure(storage));
  }
  const m = machine();
  const commit = headCommit();
  const dirty = hasChanges(['server', 'protocol', 'bench']) ? ' (with uncommitted changes)' : '';
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} at commit ${commit ?? 'unknown'}${dirty} on ${m.cores} cores (${m.cpu}), Node ${m.node}. ` +
      `${USERS.toLocaleString('en')} users (half Chinese names of 2–3 characters, half Latin names with accents), one searcher sending ` +
      `\`users.search\` one at a time over a WebSocket on loopback, ${PER_KIND} queries of each kind after 30 to warm up; times are round trips ` +
      `(the server's share is lower). Aim (issue 14): p95 ≤ 50 ms on the server.`,
    '',
  ];
  for (const r of results) {
    lines.push(`### ${r.storage === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: all queries p50 ${ms(r.all.p50)} ms, p95 ${ms(r.all.p95)} ms, p99 ${ms(r.all.p99)} ms`, '');
    lines.push('| query | example | p50 ms | p95 ms | max ms | results (page of 20) |', '|---|---|---|---|---|---|');
    for (const f of r.figures) lines.push(`| ${f.kind} | \`${f.example}\` | ${ms(f.p50)} | ${ms(f.p95)} | ${ms(f.max)} | ${f.results.toFixed(1)} |`);
    lines.push(`| next page (cursor) of the queries above that had one | | ${ms(r.page2.p50)} | ${ms(r.page2.p95)} | | |`, '');
    lines.push(`Filling the table took ${(r.fillMs / 1000).toFixed(1)} s; server RSS after the run ${r.rssMiB.toFixed(0)} MiB.`, '');
  }
  const body = lines.join('\n');
  console.log(`\n${SECTION_TITLE}\n\n${body}`);
  if (opts.write) {
    replaceSection(SECTION_TITLE, body);
    console.log(`wrote the "${SECTION_TITLE}" section of BENCHMARKS.md`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('bench failed:', error);
    process.exit(1);
  },
);
