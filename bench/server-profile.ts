/**
 * Summarises a V8 .cpuprofile (from `npm run bench:server -- --profile`): top functions by self and by
 * inclusive time, and self time per source file / package.
 *   npx tsx bench/server-profile.ts <file.cpuprofile> [--top N]
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '30' } }, allowPositionals: true });
const file = positionals[0];
if (!file) {
  console.error('usage: tsx bench/server-profile.ts <file.cpuprofile> [--top N]');
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from samples and their time deltas (µs); falls back to hit counts.
const selfUs = new Map<number, number>();
if (profile.samples && profile.timeDeltas) {
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas![i + 1] ?? 0)));
} else {
  const total = profile.endTime - profile.startTime;
  const hits = profile.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0);
  for (const n of profile.nodes) selfUs.set(n.id, ((n.hitCount ?? 0) * total) / hits);
}
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

function shortUrl(url: string): string {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) return url.slice(nm + 'node_modules/'.length);
  const src = url.indexOf('/work/main/');
  if (src !== -1) return url.slice(src + '/work/main/'.length);
  return url.replace(/^file:\/\//, '');
}
function fnKey(f: CallFrame): string {
  return `${f.functionName || '(anonymous)'}  ${shortUrl(f.url)}:${f.lineNumber + 1}`;
}
function fileKey(f: CallFrame): string {
  const u = shortUrl(f.url);
  if (u.startsWith('(')) return f.functionName.startsWith('(') ? f.functionName : '(native)';
  if (u.startsWith('node:')) return u;
  const pkg = /^(@[^/]+\/[^/]+|[^/]+)\//.exec(u);
  return u.includes('/') && !u.startsWith('server/') && !u.startsWith('protocol/') && !u.startsWith('bench/') && pkg ? `${pkg[1]} (package)` : u;
}

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const files = new Map<string, number>();
for (const n of profile.nodes) {
  const t = selfUs.get(n.id) ?? 0;
  if (t === 0) continue;
  self.set(fnKey(n.callFrame), (self.get(fnKey(n.callFrame)) ?? 0) + t);
  files.set(fileKey(n.callFrame), (files.get(fileKey(n.callFrame)) ?? 0) + t);
  const seen = new Set<string>();
  for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
    const k = fnKey(byId.get(id)!.callFrame);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + t);
  }
}

const pct = (us: number) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(v)}  ${k}`);
};
console.log(`${file}: ${(totalUs / 1e6).toFixed(1)} s sampled`);
print('self time by file / package', files);
print('self time by function', self);
print('inclusive time by function', inclusive);
