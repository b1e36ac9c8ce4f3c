/**
 * Shared by the benchmarks that drive a server process from load-generator processes (bench/server-bench.ts,
 * bench/cluster-bench.ts): the machine and /proc readings (CPU time, RSS, fd limits), the signed admin API
 * (provisioning users and tokens) and the generator processes (bench/server-load.ts) with their IPC protocol.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchUser, LoadCommand, LoadReply } from './server-common.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// --- the machine and /proc

export function machine() {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    cpu: model,
    cores: os.cpus().length,
    ramGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
  };
}

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
}

export function hwmBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
}

/** CPU time of a process (all its threads), in ms. */
export function cpuSplit(pid: number): { user: number; system: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return { user: (Number(fields[11]) * 1000) / CLK_TCK, system: (Number(fields[12]) * 1000) / CLK_TCK };
}

export function cpuMs(pid: number): number {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

/** Busy and total jiffies of the whole machine. */
export function machineCpu(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export function fdLimits(): { soft: number; hard: number } {
  const out = execFileSync('bash', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' }).trim().split('\n');
  const parse = (s: string | undefined) => (s === 'unlimited' ? Infinity : Number(s));
  return { soft: parse(out[0]), hard: parse(out[1]) };
}


// --- the admin API (signature version 2, docs/protocol.md part 2)

export interface AdminTarget {
  host?: string;
  port: number;
  appKey: string;
  appSecret: string;
  agent?: http.Agent;
}

export function adminRequest(t: AdminTarget, urlPath: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const raw = JSON.stringify(body);
  const nonce = randomBytes(12).toString('hex');
  const ts = String(Date.now());
  // Bound to the method and path; these paths carry no query.
  const signature = createHmac('sha256', t.appSecret).update(['v2', 'POST', urlPath, '', nonce, ts, raw].join('\n')).digest('hex');
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: t.host ?? '127.0.0.1',
        port: t.port,
        path: urlPath,
        method: 'POST',
        agent: t.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(raw),
          'x-app-key': t.appKey,
          'x-nonce': nonce,
          'x-timestamp': ts,
          'x-signature-version': '2',
          'x-signature': signature,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : null });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`admin request ${urlPath} timed out`)));
    req.on('error', reject);
    req.end(raw);
  });
}

/**
 * Creates users bu00000… (`count` of them) with the admin API and issues each a token, `concurrency` at a time.
 * `targets` are tried round-robin (the nodes of a cluster share the work).
 */
export async function provisionUsers(targets: readonly AdminTarget[], count: number, concurrency = 16): Promise<BenchUser[]> {
  const users: BenchUser[] = new Array<BenchUser>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t = targets[i % targets.length]!;
      const userId = `bu${String(i).padStart(5, '0')}`;
      const created = await adminRequest(t, '/v1/admin/users', { userId, name: `Bench user ${i}` });
      if (created.status !== 201 && created.status !== 200) throw new Error(`creating ${userId}: ${created.status} ${JSON.stringify(created.json)}`);
      const issued = await adminRequest(t, `/v1/admin/users/${userId}/token`, {});
      if (issued.status !== 200) throw new Error(`token for ${userId}: ${issued.status} ${JSON.stringify(issued.json)}`);
      users[i] = { userId, token: (issued.json as { token: string }).token };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return users;
}

// --- generators

export interface Generator {
  child: ChildProcess;
  pid: number;
  call<T>(command: LoadCommand, timeoutMs: number, onMark?: (name: string) => void): Promise<T>;
}

export function startGenerator(index: number, fdLimit: number | null, profileDir: string | null): Generator {
  const nodeArgs = [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=generator-${index}.cpuprofile`] : []), '--import', 'tsx'];
  const child = fork(path.join(ROOT, 'bench/server-load.ts'), [], {
    cwd: ROOT,
    // fork() runs `execPath ...execArgv module`; through bash the soft fd limit can be raised first (the IPC
    // channel is inherited across the exec).
    ...(fdLimit === null
      ? { execArgv: nodeArgs }
      : { execPath: 'bash', execArgv: ['-c', `ulimit -n ${fdLimit} && exec "$0" "$@"`, process.execPath, ...nodeArgs] }),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let busy: { resolve: (v: unknown) => void; reject: (e: Error) => void; onMark?: (name: string) => void } | null = null;
  child.on('message', (m: LoadReply) => {
    if (!busy) return;
    if (m.type === 'mark') busy.onMark?.(m.name);
    else if (m.type === 'result') busy.resolve(m.result);
    else busy.reject(new Error(`generator ${index}: ${m.message}`));
  });
  child.on('exit', (code) => busy?.reject(new Error(`generator ${index} exited (${code})`)));
  return {
    child,
    pid: child.pid!,
    call<T>(command: LoadCommand, timeoutMs: number, onMark?: (name: string) => void): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`generator ${index}: ${command.cmd} timed out`)), timeoutMs);
        busy = {
          resolve: (v) => {
            clearTimeout(timer);
            busy = null;
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            busy = null;
            reject(e);
          },
          onMark,
        };
        child.send(command);
      });
    },
  };
}

/**
 * Waits for a server child's ready line (`listening on http://127.0.0.1:PORT`, cli.ts) and answers its port; rejects
 * after 30 s or when the child exits first (`why` says where to look). Its stdout is drained afterwards.
 */
export function readyPort(child: ChildProcess, why = ''): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not print its ready line within 30 s')), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code})${why}`));
    });
  });
}
