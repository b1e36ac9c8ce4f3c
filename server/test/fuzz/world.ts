/**
 * The world a protocol fuzz runs in: users with connections, groups of each join policy, chatrooms and a few
 * messages, so generated requests reach past "not found" into the handlers; and a bystander pair that exchanges
 * messages throughout, whose every message must arrive, in order. Needs only the server's URL (no vitest), so
 * the test and the longer script share it.
 */
import { randomUUID } from 'node:crypto';
import { FuzzConn, type Sink } from './fuzz-conn.js';

export interface FuzzUser {
  userId: string;
  token: string;
}

/** Time allowed for one answer or delivery; generous for slow shared machines. */
export const WAIT_MS = 15_000;

export async function register(url: string, userId: string): Promise<FuzzUser> {
  const res = await fetch(`${url}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, password: 'fuzz password 0123', name: `Fuzz ${userId}` }),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`register ${userId}: ${res.status} ${text}`);
  return { userId, token: (JSON.parse(text) as { token: string }).token };
}

export function wsUrl(url: string): string {
  return url.replace(/^http/, 'ws') + '/v1/ws';
}

/** Connects and says hello; the hello must succeed. */
export async function signedIn(url: string, user: FuzzUser, label: string, sink: Sink, ids: IdSource): Promise<FuzzConn> {
  const c = new FuzzConn(wsUrl(url), label, sink);
  await c.opened;
  const done = new Promise<Record<string, unknown>>((resolve, reject) => {
    c.ws.once('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString('utf8')) as { ok: boolean; body: Record<string, unknown>; error?: unknown };
      if (frame.ok) resolve(frame.body);
      else reject(new Error(`${label}: hello refused: ${JSON.stringify(frame.error)}`));
    });
    c.ws.once('close', (code) => reject(new Error(`${label}: closed (${code}) during hello`)));
  });
  const helloId = ids.next();
  c.expectForeign(helloId, 'hello');
  c.ws.send(JSON.stringify({ type: 'req', id: helloId, op: 'hello', body: { token: user.token, device: { id: `fz-${randomUUID()}`, platform: 'fuzz', app: 'fuzz/1' }, protocol: 1 } }));
  await done;
  return c;
}

/** Request ids, unique across all connections of a run (so an answer names one frame only). */
export class IdSource {
  private n = 1;
  next(): number {
    return this.n++;
  }
}

/** A request that must succeed, on a connection outside the fuzz bookkeeping (world setup, the final checks). */
export async function call(c: FuzzConn, ids: IdSource, op: string, body: unknown): Promise<Record<string, unknown>> {
  const id = ids.next();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${c.label}: no answer to ${op} within ${WAIT_MS} ms`)), WAIT_MS);
    const onMessage = (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as { type: string; id?: number; ok?: boolean; body?: Record<string, unknown>; error?: unknown };
      if (frame.type !== 'res' || frame.id !== id) return;
      c.ws.off('message', onMessage);
      clearTimeout(timer);
      if (frame.ok) resolve(frame.body ?? {});
      else reject(new Error(`${c.label}: ${op} ${JSON.stringify(body).slice(0, 200)} failed: ${JSON.stringify(frame.error)}`));
    };
    c.ws.on('message', onMessage);
    c.expectForeign(id, op);
    c.ws.send(JSON.stringify({ type: 'req', id, op, body }));
  });
}

export interface World {
  url: string;
  ids: IdSource;
  sink: Sink;
  fuzzers: FuzzUser[];
  /** The fuzzing connections; slot i belongs to fuzzers[slotUser[i]] and is replaced when it closes. */
  conns: FuzzConn[];
  slotUser: number[];
  groupIds: string[];
  roomIds: string[];
  bystanders: Bystanders;
  /** Every user id, token, conversation id the generators pick from. */
  pools: { userIds: string[]; convIds: string[]; tokens: string[]; clientMsgIds: string[]; slotConvIds: string[][] };
}

export function pconv(a: string, b: string): string {
  return a < b ? `p:${a}|${b}` : `p:${b}|${a}`;
}

/** Builds the world on a running server. `tag` keeps user, group and room ids apart between runs on one server. */
export async function buildWorld(url: string, tag: string): Promise<World> {
  const ids = new IdSource();
  const sink: Sink = { problems: [], tally: {} };
  const fuzzers = [await register(url, `fz${tag}a`), await register(url, `fz${tag}b`), await register(url, `fz${tag}c`)];
  const [a, b, c] = fuzzers as [FuzzUser, FuzzUser, FuzzUser];
  // Fuzzer a has two devices: its own messages reach its other device as events.
  const slotUser = [0, 0, 1, 2];
  const conns: FuzzConn[] = [];
  for (const [i, u] of slotUser.entries()) conns.push(await signedIn(url, fuzzers[u]!, `fuzz slot ${i} (${fuzzers[u]!.userId})`, sink, ids));
  const [ca, , cb, cc] = conns as [FuzzConn, FuzzConn, FuzzConn, FuzzConn];

  // Two groups belong to a keeper outside the fuzz, so no case dismisses them (fuzzer a administers both; the
  // fuzzers can still leave, be kicked, join and be invited back); fuzzer c owns the third, for the owner's ops.
  const keeper = await register(url, `kp${tag}`);
  const ck = await signedIn(url, keeper, `keeper ${keeper.userId}`, sink, ids);
  const groupIds = [`g${tag}open`, `g${tag}appr`, `g${tag}inv`];
  await call(ck, ids, 'group.create', { groupId: groupIds[0], name: 'Open', members: [a.userId, b.userId], joinPolicy: 'open' });
  await call(ck, ids, 'group.create', { groupId: groupIds[1], name: 'Approval', members: [a.userId, c.userId], joinPolicy: 'approval' });
  for (const g of groupIds.slice(0, 2)) await call(ck, ids, 'group.admins', { groupId: g, userIds: [a.userId], admin: true });
  ck.close();
  await call(cc, ids, 'group.create', { groupId: groupIds[2], name: 'Invite', members: [a.userId, b.userId], joinPolicy: 'invite' });
  const roomIds = [`r${tag}one`, `r${tag}two`];
  for (const [i, roomId] of roomIds.entries()) await call(conns[i + 1]!, ids, 'room.join', { roomId }); // roomAutoCreate creates it
  // A few entries everywhere, so seqs 1..n exist to reply to, read, recall and edit.
  for (let i = 0; i < 3; i++) {
    await call(ca, ids, 'send', { convId: pconv(a.userId, b.userId), clientMsgId: `seed-${tag}-p-${i}`, kind: 'text', body: { text: `hello ${i}` } });
    await call(cc, ids, 'send', { convId: `g:${groupIds[2]}`, clientMsgId: `seed-${tag}-g-${i}`, kind: 'text', body: { text: `group ${i}` } });
    await call(cb, ids, 'send', { convId: `g:${groupIds[0]}`, clientMsgId: `seed-${tag}-o-${i}`, kind: 'text', body: { text: `open ${i}` } });
  }

  const bystanders = await Bystanders.start(url, tag, sink, ids);
  const everyone = [...fuzzers.map((u) => u.userId), bystanders.a.userId, bystanders.b.userId, keeper.userId];
  const convIds = new Set<string>();
  for (const x of everyone) for (const y of everyone) if (x !== y) convIds.add(pconv(x, y));
  for (const g of [...groupIds, `g${tag}none`]) convIds.add(`g:${g}`);
  for (const r of [...roomIds, `r${tag}none`]) convIds.add(`r:${r}`);
  return {
    url,
    ids,
    sink,
    fuzzers,
    conns,
    slotUser,
    groupIds: [...groupIds, `g${tag}none`],
    roomIds: [...roomIds, `r${tag}none`],
    bystanders,
    pools: {
      userIds: [...everyone, `nobody${tag}`],
      // Per fuzzing connection, the conversations its user can be in: most requests name one of those.
      slotConvIds: slotUser.map((u) => [
        ...everyone.filter((x) => x !== fuzzers[u]!.userId).map((x) => pconv(x, fuzzers[u]!.userId)),
        ...groupIds.map((g) => `g:${g}`),
        ...roomIds.map((r) => `r:${r}`),
      ]),
      convIds: [...convIds],
      tokens: fuzzers.map((u) => u.token),
      clientMsgIds: [`seed-${tag}-p-0`, `seed-${tag}-g-1`, `dup-${tag}-1`, `dup-${tag}-2`],
    },
  };
}

/** Replaces a fuzzing connection that closed (or is to be closed) with a fresh device of the same user. */
export async function replaceConn(world: World, slot: number): Promise<void> {
  const old = world.conns[slot]!;
  old.close();
  const user = world.fuzzers[world.slotUser[slot]!]!;
  world.conns[slot] = await signedIn(world.url, user, `fuzz slot ${slot} (${user.userId})`, world.sink, world.ids);
}

/**
 * Two users outside the fuzz who chat throughout it: each round, each sends one message to the other (retrying
 * RATE_LIMITED with the same clientMsgId, as a client does). `verify` checks that each received exactly the
 * other's acknowledged messages, in seq order, with their text, and that the log holds them all.
 */
export class Bystanders {
  private round = 0;
  private readonly acked: Array<Array<{ seq: number; text: string }>> = [[], []];
  private readonly received: Array<Array<{ seq: number; text: string; from: string }>> = [[], []];

  private constructor(
    readonly a: FuzzUser,
    readonly b: FuzzUser,
    private readonly conns: [FuzzConn, FuzzConn],
    private readonly ids: IdSource,
    private readonly sink: Sink,
  ) {
    const conv = pconv(a.userId, b.userId);
    conns.forEach((c, i) => {
      c.onMsg = (entry) => {
        if (entry.convId !== conv) return;
        const body = entry.body as { text?: unknown };
        this.received[i]!.push({ seq: entry.seq, text: typeof body.text === 'string' ? body.text : '', from: entry.from });
      };
    });
  }

  static async start(url: string, tag: string, sink: Sink, ids: IdSource): Promise<Bystanders> {
    const a = await register(url, `by${tag}a`);
    const b = await register(url, `by${tag}b`);
    const ca = await signedIn(url, a, `bystander ${a.userId}`, sink, ids);
    const cb = await signedIn(url, b, `bystander ${b.userId}`, sink, ids);
    return new Bystanders(a, b, [ca, cb], ids, sink);
  }

  get conv(): string {
    return pconv(this.a.userId, this.b.userId);
  }

  get sent(): number {
    return this.acked[0]!.length + this.acked[1]!.length;
  }

  private inFlight: Promise<void> | null = null;

  /** Starts a round unless one is under way; the fuzz goes on meanwhile. */
  tick(): void {
    this.inFlight ??= this.exchange().finally(() => (this.inFlight = null));
  }

  /** Waits for the round under way. */
  async settle(): Promise<void> {
    await this.inFlight;
  }

  /** One round: a → b and b → a at once. */
  private async exchange(): Promise<void> {
    const r = ++this.round;
    await Promise.all([0, 1].map((i) => this.sendOne(i, `round ${r} from ${i === 0 ? 'a' : 'b'}`)));
  }

  private async sendOne(i: number, text: string): Promise<void> {
    const c = this.conns[i]!;
    const clientMsgId = randomUUID();
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await call(c, this.ids, 'send', { convId: this.conv, clientMsgId, kind: 'text', body: { text } });
        this.acked[i]!.push({ seq: ack.seq as number, text });
        return;
      } catch (error) {
        const m = /"retryAfterMs":(\d+)/.exec((error as Error).message);
        if (!m || attempt > 20) {
          this.sink.problems.push(`bystander send failed: ${(error as Error).message}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Number(m[1]) + 1)); // the server's retryAfterMs
      }
    }
  }

  /** Waits for every acknowledged message to reach the other side, then checks order, content and the log. */
  async verify(): Promise<void> {
    await this.conns[1].waitUntil(() => this.received[1]!.length >= this.acked[0]!.length, WAIT_MS);
    await this.conns[0].waitUntil(() => this.received[0]!.length >= this.acked[1]!.length, WAIT_MS);
    for (const [to, from] of [
      [1, 0],
      [0, 1],
    ] as const) {
      const expected = this.acked[from]!;
      const got = this.received[to]!;
      const name = to === 1 ? this.b.userId : this.a.userId;
      const fromId = from === 0 ? this.a.userId : this.b.userId;
      if (got.some((g) => g.from !== fromId)) this.sink.problems.push(`bystander ${name} got a message in its chat from someone else: ${JSON.stringify(got.find((g) => g.from !== fromId))}`);
      const want = expected.map((e) => `${e.seq}:${e.text}`).sort((x, y) => Number(x.split(':')[0]) - Number(y.split(':')[0]));
      const have = got.map((g) => `${g.seq}:${g.text}`);
      if (JSON.stringify(want) !== JSON.stringify(have)) {
        this.sink.problems.push(`bystander ${name} did not get every message in order: expected ${want.length} [${want.slice(0, 5).join(', ')}…], got ${have.length} [${have.slice(0, 5).join(', ')}…]`);
      }
    }
    // The log: seqs 1..n without holes, and every acknowledged message in it.
    const all = [...this.acked[0]!, ...this.acked[1]!].sort((x, y) => x.seq - y.seq);
    const last = all.at(-1)?.seq ?? 0;
    const seen = new Set<number>();
    for (let after = 0; after < last; ) {
      const page = (await call(this.conns[0], this.ids, 'history', { convId: this.conv, afterSeq: after, limit: 100 })).messages as Array<{ seq: number }>;
      if (page.length === 0) break;
      for (const m of page) seen.add(m.seq);
      after = page.at(-1)!.seq;
    }
    const missing = all.filter((m) => !seen.has(m.seq));
    if (missing.length > 0 || seen.size !== last) this.sink.problems.push(`bystander log: ${seen.size} entries up to seq ${last}, missing ${missing.length} acknowledged`);
  }

  close(): void {
    for (const c of this.conns) c.close();
  }
}
