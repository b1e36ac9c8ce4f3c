/**
 * Local store benchmark, on two corpora of 1,000,000 messages each, stored through the same applyEntries the sync
 * engine uses (full-text index included):
 * - synthetic: seeded, mixed English/Chinese chat text (word lists below);
 * - real Chinese: lines of classical poetry from the chinese-poetry package (Tang and Song poems in traditional
 *   characters, Song lyrics in simplified ones), one or two lines per message, punctuation as written.
 * Measures insert rate, size, search (right after inserting, and again after the idle maintenance has merged the
 * index), the maintenance itself, and opening a conversation. Prints the figures and writes them to the "Local
 * store" section of BENCHMARKS.md.
 *
 *   npm run bench:store            (STORE_BENCH_MESSAGES=200000 for a shorter trial run, not recorded;
 *                                   STORE_BENCH_CORPORA=real to run one corpus)
 */
import { BENCHMARKS_FILE, hasChanges, headCommit, replaceSection } from './benchmarks-file.js';
import { poetryLines } from './poetry-corpus.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogEntry } from '../protocol/index.js';
import { openStore, type Store } from '../main/src/store/index.js';
import { MAINTENANCE_PAGES_PER_STEP } from '../main/src/store/maintenance.js';
import { CANDIDATES } from '../main/src/store/search.js';

const STANDARD_TOTAL = 1_000_000;
const TOTAL = Number(process.env.STORE_BENCH_MESSAGES ?? STANDARD_TOTAL);
const CONVERSATIONS = 200;
const BATCH = 2000;
const SEARCH_RUNS = 200;
const OPEN_RUNS = 500;
const SPAN_MS = 365 * 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const NOW = T0 + SPAN_MS;
const SECTION = '## Local store (npm run bench:store)';
const CORPORA = (process.env.STORE_BENCH_CORPORA ?? 'synthetic,real').split(',');
/** Steps of Store.maintain as the idle scheduler runs them. */
const MAINTAIN_PAGES = MAINTENANCE_PAGES_PER_STEP;

/** mulberry32: small, fast, seedable. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const EN = `the to and a of I you it is in that for we on this be with have are at will so do not can just
 me but my if what about it's get all your was can't know think up out one time there when meeting project
 today tomorrow please thanks ok yes no good great now see they need work go let's call check review send new
 deploy release server client budget schedule report team lunch weekend invoice contract feature bug fix test
 build launch customer feedback payment account password update install download network database search
 message group chat room file photo video voice morning evening sorry sounds perfect problem process product
 program progress promise proposal protocol design office coffee dinner train flight hotel ticket doctor
 résumé café naïve déjà vu Zoë façade`.split(/\s+/).filter(Boolean);
const ZH = `的 了 我 你 是 在 有 这个 那个 我们 你们 他们 今天 明天 昨天 开会 项目 发布 服务器 客户端 设计 预算
 进度 报告 群聊 讨论 问题 消息 文件 图片 视频 语音 电话 周末 午饭 晚饭 谢谢 好的 没问题 可以 不行 需要 已经 还是 因为
 所以 但是 如果 什么 怎么 为什么 时间 地方 公司 同事 老板 客户 合同 发票 付款 账号 密码 更新 安装 下载 网络 数据库 搜索
 功能 测试 上线 反馈 朋友 家人 学习 工作 生活 一起 看看 知道 觉得 喜欢 北京 上海 深圳 咖啡 火锅 吗 呢 吧 就 也 都 很
 一下 刚才 马上 等等 辛苦了 收到 明白 好久不见`.split(/\s+/).filter(Boolean);

/** Zipf-like: low indexes (common words) far more often. */
const pick = (rnd: () => number, words: string[]) => words[Math.floor(Math.pow(rnd(), 2.2) * words.length)] as string;

function sentence(rnd: () => number): string {
  const mode = rnd();
  const length = rnd() < 0.05 ? 30 + Math.floor(rnd() * 60) : 2 + Math.floor(rnd() * 14);
  const words: string[] = [];
  if (mode < 0.5) {
    for (let i = 0; i < length; i++) words.push(pick(rnd, EN));
    const text = words.join(' ');
    return text.charAt(0).toUpperCase() + text.slice(1) + (rnd() < 0.3 ? '?' : '');
  }
  if (mode < 0.85) {
    for (let i = 0; i < length; i++) words.push(pick(rnd, ZH));
    return words.join('') + (rnd() < 0.3 ? '？' : '');
  }
  for (let i = 0; i < length; i++) words.push(rnd() < 0.6 ? pick(rnd, ZH) : ` ${pick(rnd, EN)} `);
  return words.join('').replace(/ +/g, ' ').trim();
}

interface Corpus {
  name: string;
  description: string;
  /** The text of the next message. */
  next(rnd: () => number): string;
  queries: Array<{ label: string; query: string; options?: { convId: string } }>;
}

function syntheticCorpus(): Corpus {
  return {
    name: 'synthetic',
    description: 'seeded mix: ~50% English, ~35% Chinese, ~15% mixed; 2–16 words, 5% long',
    next: sentence,
    queries: [
      { label: 'common word', query: 'meeting' },
      { label: 'two words', query: 'project review' },
      { label: 'two Chinese characters', query: '群聊' },
      { label: 'prefix', query: 'proj' },
      { label: 'three Chinese characters', query: '服务器' },
      { label: 'four Chinese characters', query: '好久不见' },
      { label: 'very common word', query: 'the' },
      { label: 'one Chinese character', query: '的' },
      { label: 'short prefix', query: 'pr' },
      { label: 'common word, one conversation', query: 'meeting', options: { convId: convId(1) } },
    ],
  };
}

function realCorpus(): Corpus {
  const started = performance.now();
  const lines = poetryLines();
  console.log(`  loaded ${lines.length.toLocaleString('en')} lines of chinese-poetry in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  let at = 0;
  const line = () => lines[at++ % lines.length] as string;
  return {
    name: 'real Chinese',
    description: `classical poetry from chinese-poetry (${lines.length.toLocaleString('en')} lines, traditional and simplified), ` +
      'one line per message, every fourth message two lines',
    next: (rnd) => (rnd() < 0.25 ? line() + line() : line()),
    queries: [
      { label: 'two characters', query: '明月' },
      { label: 'two characters, traditional query', query: '長安' },
      { label: 'two characters, simplified query', query: '何处' },
      { label: 'three characters', query: '不知何' },
      { label: 'four characters', query: '春风得意' },
      { label: 'four characters, rare', query: '一片冰心' },
      { label: 'one character', query: '人' },
      { label: 'two phrases', query: '明月 故乡' },
      { label: 'two characters, one conversation', query: '明月', options: { convId: convId(1) } },
    ],
  };
}

const convId = (c: number) => (c % 4 === 0 ? `p:u${c}|me` : `g:group${c}`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function timeRuns(runs: number, fn: (i: number) => unknown): { p50: number; p95: number } {
  for (let i = 0; i < 5; i++) fn(i);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

/** Wall time and this process's CPU time spent in applyEntries, ms. */
function insertAll(store: Store, corpus: Corpus): { busy: number; cpu: number } {
  const rnd = random(20251120);
  const perConv = Math.ceil(TOTAL / CONVERSATIONS);
  const rounds = Math.ceil(perConv / BATCH);
  const step = SPAN_MS / TOTAL;
  let inserted = 0;
  let busy = 0;
  let cpu = 0;
  for (let round = 0; round < rounds && inserted < TOTAL; round++) {
    for (let c = 0; c < CONVERSATIONS && inserted < TOTAL; c++) {
      const id = convId(c);
      const count = Math.min(BATCH, perConv - round * BATCH, TOTAL - inserted);
      const batch: LogEntry[] = [];
      for (let k = 0; k < count; k++) {
        const seq = round * BATCH + k + 1;
        const sender = rnd() < 0.3 ? 'me' : `u${Math.floor(rnd() * 40)}`;
        batch.push({
          convId: id, seq, msgId: `${id}#${seq}`, clientMsgId: `${sender}-${id}-${seq}`, from: sender,
          ts: Math.floor(T0 + (inserted + k) * step), kind: 'text', body: { text: corpus.next(rnd) },
        });
      }
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      store.applyEntries(id, batch);
      const used = process.cpuUsage(cpuStart);
      busy += performance.now() - start;
      cpu += (used.user + used.system) / 1000;
      inserted += count;
    }
    process.stdout.write(`\r  inserted ${inserted.toLocaleString('en')} messages`);
  }
  process.stdout.write('\n');
  return { busy, cpu };
}

function fileSize(file: string): number {
  return ['', '-wal', '-shm'].reduce((sum, suffix) => sum + (fs.existsSync(file + suffix) ? fs.statSync(file + suffix).size : 0), 0);
}

interface CorpusResult {
  corpus: Corpus;
  rate: number;
  busyMs: number;
  cpuMs: number;
  size: number;
  maintainMs: number;
  maintainSteps: number;
  longestStepMs: number;
  search: Array<{ label: string; query: string; hits: number; fresh: Timing; merged: Timing }>;
  open?: Timing;
}

type Timing = { p50: number; p95: number };

function timeQueries(store: Store, corpus: Corpus): Array<{ hits: number; timing: Timing }> {
  return corpus.queries.map((q) => ({
    hits: store.search(q.query, q.options ?? {}).length,
    timing: timeRuns(SEARCH_RUNS, () => store.search(q.query, q.options ?? {})),
  }));
}

function runCorpus(corpus: Corpus, dir: string): CorpusResult {
  const file = path.join(dir, `${corpus.name.replace(/\W+/g, '-')}.db`);
  console.log(`${corpus.name}: ${TOTAL.toLocaleString('en')} messages into ${file}`);
  let store = openStore({ path: file, userId: 'me', now: () => NOW });
  const { busy: busyMs, cpu: cpuMs } = insertAll(store, corpus);
  store.close();
  store = openStore({ path: file, userId: 'me', now: () => NOW });
  const fresh = timeQueries(store, corpus);
  // What the idle scheduler does once inserts settle, step by step; timed as a whole and per step.
  let maintainSteps = 0;
  let longestStepMs = 0;
  const maintainStart = performance.now();
  for (let more = true; more; maintainSteps++) {
    const stepStart = performance.now();
    more = store.maintain({ pages: MAINTAIN_PAGES });
    longestStepMs = Math.max(longestStepMs, performance.now() - stepStart);
  }
  const maintainMs = performance.now() - maintainStart;
  const merged = timeQueries(store, corpus);
  const open = corpus.name === 'synthetic'
    ? timeRuns(OPEN_RUNS, (i) => store.listMessages(convId((i * 37) % CONVERSATIONS), { limit: 50 }))
    : undefined;
  store.close();
  const result: CorpusResult = {
    corpus, rate: TOTAL / (busyMs / 1000), busyMs, cpuMs, size: fileSize(file), maintainMs, maintainSteps, longestStepMs,
    search: corpus.queries.map((q, i) => ({
      label: q.label, query: q.query, hits: fresh[i]?.hits ?? 0, fresh: fresh[i]!.timing, merged: merged[i]!.timing,
    })),
  };
  if (open) result.open = open;
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}-wal`, { force: true });
  fs.rmSync(`${file}-shm`, { force: true });
  return result;
}

function commit(): string {
  const head = headCommit();
  if (head === null) return 'unknown commit';
  return hasChanges(['main', 'bench']) ? `${head} (+ uncommitted changes)` : head;
}

const ms = (t: Timing) => `${t.p50.toFixed(2)} / ${t.p95.toFixed(2)} ms`;

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-store-bench-'));
  const lines: string[] = [];
  const say = (line: string) => {
    console.log(line);
    lines.push(line);
  };
  try {
    const loadAtStart = os.loadavg()[0]?.toFixed(1) ?? '?';
    const results: CorpusResult[] = [];
    if (CORPORA.includes('synthetic')) results.push(runCorpus(syntheticCorpus(), dir));
    if (CORPORA.includes('real')) results.push(runCorpus(realCorpus(), dir));

    const cpus = os.cpus();
    const load = os.loadavg()[0]?.toFixed(1) ?? '?';
    say(`Run ${new Date().toISOString().slice(0, 10)} at \`${commit()}\` on ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ` +
      `${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.arch()}; ` +
      `load average ${loadAtStart} at start, ${load} at end (other work on the machine inflates every figure).`);
    say('');
    say(`Each corpus: ${TOTAL.toLocaleString('en')} text messages in ${CONVERSATIONS} conversations, stored with ` +
      `\`applyEntries\` in batches of ${BATCH} (one transaction each), full-text index maintained by the triggers.`);
    say('');
    for (const r of results) say(`- **${r.corpus.name}**: ${r.corpus.description}.`);
    say('');
    say(`| measure | ${results.map((r) => r.corpus.name).join(' | ')} |`);
    say(`|---|${results.map(() => '---|').join('')}`);
    say(`| insert | ${results.map((r) => `${Math.round(r.rate).toLocaleString('en')} messages/s (${(r.busyMs / 1000).toFixed(1)} s)`).join(' | ')} |`);
    say(`| insert, by this process's CPU time (what the machine's other work does not inflate) | ${results.map((r) =>
      `${Math.round(TOTAL / (r.cpuMs / 1000)).toLocaleString('en')} messages/s (${(r.cpuMs / 1000).toFixed(1)} s)`).join(' | ')} |`);
    say(`| database size on disk | ${results.map((r) => `${(r.size / 2 ** 20).toFixed(0)} MiB (${Math.round(r.size / TOTAL)} bytes/message)`).join(' | ')} |`);
    say(`| idle maintenance: index merged to one segment | ${results.map((r) =>
      `${(r.maintainMs / 1000).toFixed(1)} s in ${r.maintainSteps} steps of ${MAINTAIN_PAGES} pages (longest ${r.longestStepMs.toFixed(0)} ms)`).join(' | ')} |`);
    const open = results.find((r) => r.open)?.open;
    if (open) say(`| open a conversation (latest 50, synthetic) | p50 ${open.p50.toFixed(2)} ms, p95 ${open.p95.toFixed(2)} ms |`);
    for (const r of results) {
      say('');
      say(`Search, ${r.corpus.name} corpus, top 50 by rank, ${SEARCH_RUNS} runs each, p50 / p95 — right after inserting, ` +
        'and after the idle maintenance:');
      say('');
      say('| query | | hits | after insert | after maintenance |');
      say('|---|---|---|---|---|');
      for (const q of r.search) say(`| ${q.label} | \`${q.query}\` | ${q.hits} | ${ms(q.fresh)} | ${ms(q.merged)} |`);
    }
    say('');
    say('A query word of two or more letters is a prefix: `the` and `pr` are single lookups in the 2/3-character ' +
      'prefix index, a longer prefix (`meeting`, `proj`) makes FTS5 merge the lists of all words starting with it. ' +
      'A CJK query is a phrase of one-character tokens: FTS5 intersects their lists and checks positions, so its ' +
      'cost grows with how common its characters are, not with its length alone. ' +
      `Ranking reads at most the ${CANDIDATES} newest matches, so cost does not grow with the number of matches.`);
    // Only the standard size is recorded, so a quick trial run does not replace the figures.
    if (TOTAL === STANDARD_TOTAL) writeStoreSection(lines);
    else console.log(`\nnot recorded in BENCHMARKS.md (${TOTAL} messages is not the standard ${STANDARD_TOTAL})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();

function writeStoreSection(lines: string[]): void {
  replaceSection(SECTION, lines.join('\n'));
  console.log(`\nwrote "${SECTION}" in ${BENCHMARKS_FILE}`);
}
