/**
 * The server as a cluster (`npm run test:cluster`): nodes of the built server on one PostgreSQL database, one NATS
 * subject prefix and one shared data directory, behind nginx (scripts/cluster-lib.ts). Clients are connected to
 * named nodes, so that they are certainly on different ones, and through the balancer; what one node does must
 * reach clients on the others. Then a load phase kills a node mid-run: clients reconnect through nginx, retry
 * unacknowledged sends with the same clientMsgId, catch up by `history`, and every log must come out whole.
 *
 * PARLEY_TEST_CLUSTER_NODES (default 3) sets the node count; with 1, "other nodes" are the same node, which checks
 * the harness, nginx and the kill-and-catch-up phase without needing the nodes to talk to each other.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../protocol/index.js';
import { ensureBuiltServer, startCluster, type Cluster } from '../../scripts/cluster-lib.js';
import { envForConfig } from '../src/config.js';
import { APP_KEY, APP_SECRET, PASSWORD, TEST_ACCOUNT_SETTINGS, signedRequest } from '../test/harness.js';
import { AnswerError, WsClient, pconv, takeConformanceViolations, wsUrl } from '../test/ws-client.js';

const NODES = Number(process.env.PARLEY_TEST_CLUSTER_NODES || 3);
/** How long a live event may take to cross from one node to another. */
const LIVE_MS = 5_000;

let cluster: Cluster;
const open = new Set<WsClient>();

/** The URL of node i (0-based), wrapping around when the cluster has fewer nodes. */
function node(i: number): string {
  return cluster.nodes[i % cluster.nodes.length]!.url;
}

beforeAll(async () => {
  ensureBuiltServer();
  cluster = await startCluster({
    nodes: NODES,
    natsUrl: process.env.PARLEY_TEST_NATS_URL || undefined,
    nginx: process.env.PARLEY_TEST_NGINX || undefined,
    env: envForConfig({ ...TEST_ACCOUNT_SETTINGS, appKey: APP_KEY, appSecret: APP_SECRET, sendRate: 0, logLevel: 'warn' }),
  });
});

afterEach(() => {
  for (const c of open) c.terminate();
  open.clear();
  const violations = takeConformanceViolations();
  if (violations.length > 0) throw new Error(`the server sent frames outside protocol/'s schemas:\n${violations.slice(0, 10).join('\n')}`);
});

afterAll(async () => {
  await cluster?.stop();
});

interface User {
  userId: string;
  token: string;
}

let users = 0;
async function register(prefix: string, via = cluster.url): Promise<User> {
  const userId = `${prefix}${++users}`;
  const res = await fetch(`${via}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, password: PASSWORD, name: `Name of ${userId}` }),
  });
  if (res.status !== 201) throw new Error(`register ${userId} through ${via}: ${res.status} ${await res.text()}`);
  return { userId, token: ((await res.json()) as { token: string }).token };
}

/** A connection to `url` that said hello as `user`. */
async function connect(url: string, user: User, deviceId = `dev-${randomUUID().slice(0, 8)}`): Promise<WsClient> {
  const c = new WsClient(wsUrl(url));
  open.add(c);
  await c.opened;
  const a = await c.hello(user.token, deviceId);
  if (!a.ok) throw new AnswerError('hello', a.error);
  return c;
}

/** Waits for a `msg` event of `convId` with `seq`; resolves false when none comes within LIVE_MS. */
async function gets(c: WsClient, convId: string, seq: number): Promise<boolean> {
  try {
    await c.nextEvent('msg', (m) => m.convId === convId && m.seq === seq, LIVE_MS);
    return true;
  } catch {
    return false;
  }
}

/** Every entry of a conversation, through `c`, page by page. */
async function wholeLog(c: WsClient, convId: string): Promise<LogEntry[]> {
  const all: LogEntry[] = [];
  for (;;) {
    const page = await c.history(convId, { afterSeq: all.at(-1)?.seq ?? 0, limit: 100 });
    all.push(...page);
    if (page.length < 100) return all;
  }
}

describe(`a cluster of ${NODES} node(s) behind nginx`, () => {
  it('accounts made through the balancer work on every node and through it', async () => {
    const a = await register('acct');
    for (let i = 0; i < NODES; i++) expect((await connect(node(i), a)).userId).toBe(a.userId);
    expect((await connect(cluster.url, a)).userId).toBe(a.userId);
    // Registered directly on one node, signed in on another.
    const b = await register('acct', node(1));
    const login = await fetch(`${node(2)}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: b.userId, password: PASSWORD }) });
    expect(login.status).toBe(200);
  });

  it('a private message sent on node 1 is stored for the peer on node 2 and reaches it live', async () => {
    const [a, b] = [await register('pa'), await register('pb')];
    const ca = await connect(node(0), a);
    const cb = await connect(node(1), b);
    const conv = pconv(a.userId, b.userId);
    const ack = await ca.sendText(conv, 'across nodes');
    expect((await cb.history(conv)).map((m) => m.msgId)).toEqual([ack.msgId]);
    expect(await gets(cb, conv, ack.seq)).toBe(true);
  });

  it('a group message reaches members on every node', async () => {
    const owner = await register('go');
    const members = await Promise.all([0, 1, 2, 3].map(() => register('gm')));
    const co = await connect(node(0), owner);
    // Members on nodes 1, 2 and 3, and one through the balancer.
    const clients = await Promise.all(members.map((m, i) => connect(i < 3 ? node(i) : cluster.url, m)));
    const { groupId } = await co.call('group.create', { name: 'Across', members: members.map((m) => m.userId), joinPolicy: 'invite' });
    const conv = `g:${groupId}`;
    const ack = await co.sendText(conv, 'to everyone');
    for (const c of clients) expect((await c.history(conv)).at(-1)?.msgId).toBe(ack.msgId);
    const got = await Promise.all(clients.map((c) => gets(c, conv, ack.seq)));
    expect(got.map((ok, i) => `${members[i]!.userId}@${i < 3 ? `node${(i % NODES) + 1}` : 'lb'}: ${ok}`)).toEqual(
      got.map((_, i) => `${members[i]!.userId}@${i < 3 ? `node${(i % NODES) + 1}` : 'lb'}: true`),
    );
  });

  it('a chatroom created on node 1 is joined on every node, counts its members online there, and delivers to all', async () => {
    const roomId = `room-${randomBytes(3).toString('hex')}`;
    const req = signedRequest('POST', '/v1/admin/rooms', { roomId, name: 'Hall' });
    const created = await fetch(node(0) + req.path, { method: req.method, headers: req.headers, body: req.body });
    expect(created.status).toBe(201);
    const people = await Promise.all([0, 1, 2].map(() => register('rm')));
    const clients = await Promise.all(people.map((p, i) => connect(node(i), p)));
    const joins = await Promise.all(clients.map((c) => c.req('room.join', { roomId })));
    expect(joins.map((j) => (j.ok ? 'joined' : j.error.code))).toEqual(['joined', 'joined', 'joined']);
    for (const c of clients) {
      const listed = (await c.call('room.list', {})).rooms.find((r) => r.roomId === roomId);
      expect(listed?.online).toBe(3);
    }
    const ack = await clients[0]!.sendText(`r:${roomId}`, 'hello hall');
    expect(await Promise.all(clients.slice(1).map((c) => gets(c, `r:${roomId}`, ack.seq)))).toEqual([true, true]);
  });

  it('read receipts cross nodes: the sender and the reader’s other device are told', async () => {
    const [a, b] = [await register('ra'), await register('rb')];
    const ca = await connect(node(0), a);
    const cb = await connect(node(1), b);
    const cb2 = await connect(node(2), b);
    const conv = pconv(a.userId, b.userId);
    const ack = await ca.sendText(conv, 'read me');
    await cb.call('read', { convId: conv, seq: ack.seq });
    // Stored: node 1 answers the sender with the peer's read position.
    expect((await ca.conversation(conv))?.peerReadSeq).toBe(ack.seq);
    const live = await Promise.all(
      [ca, cb2].map((c) =>
        c.nextEvent('read', (r) => r.convId === conv && r.userId === b.userId && r.seq === ack.seq, LIVE_MS).then(
          () => true,
          () => false,
        ),
      ),
    );
    expect({ sender: live[0], readersOtherDevice: live[1] }).toEqual({ sender: true, readersOtherDevice: true });
  });

  it('presence: B on node 2 sees A come online on node 1 and go offline', async () => {
    const [a, b] = [await register('sa'), await register('sb')];
    const first = await connect(node(0), a);
    await first.sendText(pconv(a.userId, b.userId), 'now we share a chat');
    first.close();
    await first.closed;
    const cb = await connect(node(1), b);
    const ca = await connect(node(0), a);
    await cb.nextEvent('presence', (p) => p.userId === a.userId && p.online, LIVE_MS);
    ca.close();
    await cb.nextEvent('presence', (p) => p.userId === a.userId && !p.online, LIVE_MS);
  });

  it('device replacement: the same device saying hello on node 2 closes its connection on node 1 with 4409', async () => {
    const u = await register('dv');
    const first = await connect(node(0), u, 'the-laptop');
    const second = await connect(node(1), u, 'the-laptop');
    const closed = await Promise.race([first.closed, new Promise<null>((r) => setTimeout(() => r(null), LIVE_MS))]);
    expect(closed?.code).toBe(4409);
    expect(second.isOpen).toBe(true);
  });

  it('a file uploaded through node 1 downloads through node 2, node 3 and the balancer', async () => {
    const [a, b] = [await register('fa'), await register('fb')];
    const bytes = randomBytes(700 * 1024); // past nginx's buffers: its temporary files and streaming are used
    const up = await fetch(`${node(0)}/v1/files`, { method: 'PUT', headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/octet-stream', 'x-file-name': 'blob.bin' }, body: bytes });
    expect(up.status).toBe(201);
    const { fileId } = (await up.json()) as { fileId: string };
    const ca = await connect(node(0), a);
    await ca.call('send', { convId: pconv(a.userId, b.userId), clientMsgId: randomUUID(), kind: 'file', body: { fileId, name: 'blob.bin', size: bytes.length, mime: 'application/octet-stream' } });
    for (const [who, via] of [
      [b, node(1)],
      [a, node(2)],
      [b, cluster.url],
    ] as const) {
      const res = await fetch(`${via}/v1/files/${fileId}`, { headers: { authorization: `Bearer ${who.token}` } });
      expect(res.status, `${who.userId} through ${via}`).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    }
    // And an upload through the balancer (streamed by nginx) reads back through a node.
    const up2 = await fetch(`${cluster.url}/v1/files`, { method: 'PUT', headers: { authorization: `Bearer ${b.token}`, 'content-type': 'application/octet-stream', 'x-file-name': 'two.bin' }, body: bytes });
    expect(up2.status).toBe(201);
    const again = await fetch(`${node(2)}/v1/files/${((await up2.json()) as { fileId: string }).fileId}`, { headers: { authorization: `Bearer ${b.token}` } });
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('under load with node 2 killed: every log as every client holds it is whole, in order, without duplicates, with every acknowledged message', { timeout: 120_000 }, async () => {
    const LOAD_MS = 12_000;
    const KILL_AT_MS = 4_000;
    const senders = await Promise.all([0, 1, 2, 3, 4, 5].map(() => register('ld')));
    const observers = await Promise.all([0, 1, 2].map(() => register('ob')));
    const setup = await connect(node(0), senders[0]!);
    const { groupId } = await setup.call('group.create', { name: 'Load', members: [...senders.slice(1), ...observers].map((u) => u.userId), joinPolicy: 'invite' });
    setup.close();
    const group = `g:${groupId}`;
    const chats = [0, 2, 4].map((i) => pconv(senders[i]!.userId, senders[i + 1]!.userId));
    const convsOf = (i: number) => (i < 6 ? [group, chats[Math.floor(i / 2)]!] : [group]);

    let stopping = false;
    let retries = 0;
    const problems: string[] = [];
    /** Every acknowledged send: convId → clientMsgId → {seq, msgId}. */
    const acked = new Map<string, Map<string, { seq: number; msgId: string; from: string }>>();

    /** A client that keeps a copy of its conversations' logs from live events and catch-up, reconnecting through nginx. */
    class Peer {
      client: WsClient | null = null;
      readonly held = new Map<string, Map<number, LogEntry>>();
      reconnects = 0;
      private ready: Promise<void>;
      constructor(
        readonly user: User,
        readonly convs: string[],
        firstUrl: string,
      ) {
        for (const c of convs) this.held.set(c, new Map());
        this.ready = this.connect(firstUrl);
      }

      private async connect(url: string): Promise<void> {
        const deadline = Date.now() + 30_000;
        for (;;) {
          try {
            const c = new WsClient(wsUrl(url));
            open.add(c);
            c.keepReceived = false;
            c.onEvent = (e) => {
              if (e.ev === 'msg') this.keep(e.body as unknown as LogEntry);
            };
            await c.opened;
            const a = await c.hello(this.user.token, `load-${this.user.userId}`);
            if (!a.ok) throw new AnswerError('hello', a.error);
            this.client = c;
            void c.closed.then(() => {
              this.client = null;
              if (stopping) return;
              this.reconnects++;
              this.ready = this.connect(cluster.url);
              this.ready.catch(() => undefined); // seen by whoever waits in connected()
            });
            await this.catchUp();
            return;
          } catch (error) {
            if (Date.now() > deadline) throw new Error(`${this.user.userId} could not reconnect through ${url}: ${(error as Error).message}`);
            await new Promise((r) => setTimeout(r, 200));
            url = cluster.url;
          }
        }
      }

      keep(entry: LogEntry): void {
        const log = this.held.get(entry.convId);
        if (!log) return;
        const had = log.get(entry.seq);
        if (had && had.msgId !== entry.msgId) problems.push(`${this.user.userId}: ${entry.convId} seq ${entry.seq} is ${had.msgId} and ${entry.msgId}`);
        log.set(entry.seq, entry);
      }

      /** Fetches what this client is missing, from the first gap on. */
      async catchUp(): Promise<void> {
        const c = this.client;
        if (!c) return;
        for (const convId of this.convs) {
          const log = this.held.get(convId)!;
          let after = 0;
          while (log.has(after + 1)) after++;
          for (;;) {
            const page = await c.history(convId, { afterSeq: after, limit: 100 });
            for (const e of page) this.keep(e);
            if (page.length < 100) break;
            after = page.at(-1)!.seq;
          }
        }
      }

      /** Waits until connected (and caught up after a reconnect). */
      async connected(): Promise<WsClient> {
        for (;;) {
          await this.ready;
          if (this.client?.isOpen) return this.client;
          await new Promise((r) => setTimeout(r, 50));
        }
      }

      /** Sends until acknowledged: a send that got no answer is sent again with the same clientMsgId. */
      async send(convId: string, clientMsgId: string, text: string): Promise<void> {
        for (let attempt = 0; ; attempt++) {
          if (attempt > 100) throw new Error(`${clientMsgId}: no acknowledgement after 100 attempts`);
          const c = await this.connected();
          let a;
          try {
            a = await c.req('send', { convId, clientMsgId, kind: 'text', body: { text } }, 5_000);
          } catch {
            retries++;
            continue; // the connection went (node killed) or no answer: retry on the next connection
          }
          if (!a.ok) {
            if (a.error.code === 'RATE_LIMITED' || a.error.code === 'INTERNAL') {
              await new Promise((r) => setTimeout(r, 100));
              continue;
            }
            throw new AnswerError('send', a.error);
          }
          const byConv = acked.get(convId) ?? new Map();
          acked.set(convId, byConv);
          const before = byConv.get(clientMsgId);
          if (before && (before.seq !== a.body.seq || before.msgId !== a.body.msgId)) problems.push(`${clientMsgId} acknowledged twice differently`);
          byConv.set(clientMsgId, { seq: a.body.seq, msgId: a.body.msgId, from: this.user.userId });
          // The sending connection gets no event of its own message: its acknowledgement is its copy.
          this.keep({ convId, seq: a.body.seq, msgId: a.body.msgId, clientMsgId, from: this.user.userId, ts: a.body.ts, kind: 'text', body: { text } } as LogEntry);
          return;
        }
      }
    }

    try {
      // Senders on nodes 1, 2, 3 directly and three through the balancer; observers one per node.
      const senderPeers = senders.map((u, i) => new Peer(u, convsOf(i), i < 3 ? node(i) : cluster.url));
      const observerPeers = observers.map((u, i) => new Peer(u, convsOf(6 + i), node(i)));
      const peers = [...senderPeers, ...observerPeers];
      await Promise.all(peers.map((p) => p.connected()));

      const victim = cluster.nodes[Math.min(1, cluster.nodes.length - 1)]!;
      const started = Date.now();
      const killer = (async () => {
        await new Promise((r) => setTimeout(r, KILL_AT_MS));
        await victim.kill('SIGKILL');
        // Alone, the cluster needs its one node back for the run to go on.
        if (cluster.nodes.length === 1) {
          await new Promise((r) => setTimeout(r, 1_000));
          await victim.restart();
        }
      })();
      let sent = 0;
      await Promise.all(
        senderPeers.map(async (p, i) => {
          for (let k = 1; Date.now() - started < LOAD_MS; k++) {
            const convId = p.convs[k % 2]!;
            await p.send(convId, `${p.user.userId}-${k}`, `message ${k} from ${p.user.userId}`);
            sent++;
            await new Promise((r) => setTimeout(r, 20 + i));
          }
        }),
      );
      await killer;
      // Node 2 comes back; readers on it see the same logs.
      if (!victim.running) await victim.restart();
      expect(senderPeers.some((p) => p.reconnects > 0), 'someone was on the killed node').toBe(true);

      for (const p of peers) {
        await p.connected();
        await p.catchUp();
      }
      const readers = await Promise.all(cluster.nodes.map((n) => connect(n.url, observers[0]!)));
      const privateReaders = await Promise.all(chats.map((_, j) => connect(victim.url, senders[2 * j]!)));

      const report: string[] = [...problems];
      for (const convId of [group, ...chats]) {
        const logs = convId === group ? await Promise.all(readers.map((r) => wholeLog(r, convId))) : [await wholeLog(privateReaders[chats.indexOf(convId)]!, convId)];
        const log = logs[0]!;
        for (const other of logs.slice(1)) expect(other.map((e) => e.msgId)).toEqual(log.map((e) => e.msgId));
        expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
        expect(new Set(log.map((e) => e.msgId)).size).toBe(log.length);
        const sentHere = log.filter((e) => e.kind === 'text');
        expect(new Set(sentHere.map((e) => `${e.from}/${e.clientMsgId}`)).size).toBe(sentHere.length);
        const acks = acked.get(convId) ?? new Map<string, { seq: number; msgId: string; from: string }>();
        for (const [clientMsgId, a] of acks) {
          const e = log[a.seq - 1];
          if (e?.msgId !== a.msgId || e.clientMsgId !== clientMsgId || e.from !== a.from) report.push(`${convId}: acknowledged ${clientMsgId} (seq ${a.seq}) is not in the log`);
        }
        // Every message the senders stored was acknowledged to them (each send was retried until it was).
        expect(sentHere.length).toBe(acks.size);
        for (const p of peers.filter((q) => q.convs.includes(convId))) {
          const held = [...p.held.get(convId)!.values()].sort((x, y) => x.seq - y.seq);
          if (held.length !== log.length || held.some((e, i) => e.seq !== i + 1 || e.msgId !== log[i]!.msgId)) {
            report.push(`${p.user.userId} holds ${held.length} of ${log.length} entries of ${convId}, or others`);
          }
        }
      }
      expect(report).toEqual([]);
      expect(sent).toBeGreaterThan(100);
      process.stdout.write(`load phase: ${sent} messages acknowledged in ${LOAD_MS} ms, ${senderPeers.reduce((n, p) => n + p.reconnects, 0) + observerPeers.reduce((n, p) => n + p.reconnects, 0)} reconnects after node ${victim.index} was killed, ${retries} sends retried\n`);
    } finally {
      stopping = true;
    }
  });
});
