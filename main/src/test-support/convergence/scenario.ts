/**
 * A seeded random run against the real server and real client cores: users act through the IPC handler table
 * as the renderer would (send, edit, recall, read, group operations) while faults hit (faults.ts). The model
 * kept here only decides which operations a user could sensibly make; what every device must show is derived
 * from the server's log (check.ts).
 */
import type { ClientCore } from '../../core/client-core.js';
import type { StoredMessage } from '../../store/types.js';
import { call } from '../cores.js';
import { Faults, type FaultLimits } from './faults.js';
import { Rng, UniqueWords } from './prng.js';
import { RECALL_WINDOW_MS, type Client, type World } from './world.js';

export type Mode = 'sends-reads' | 'full';

/** Observed users and their private chats; alice has two devices. */
export const USERS = ['alice', 'bob', 'carol'] as const;
export const BYSTANDER = 'dave';

export interface ModelConversation {
  convId: string;
  /** Observed users in it (the bystander may come and go in groups). */
  members: string[];
  groupId?: string;
  owner?: string;
}

export interface SendIntent {
  client: string;
  userId: string;
  convId: string;
  clientMsgId: string;
  text: string;
}

export interface ChangeIntent {
  kind: 'edit' | 'recall';
  client: string;
  userId: string;
  convId: string;
  seq: number;
  text?: string;
  /** What the handler answered (the target behaviour answers `{ clientMsgId }`). */
  clientMsgId: string | null;
}

/** A handler call the target behaviour says must succeed, that threw. */
export interface OpFailure {
  step: number;
  client: string;
  op: string;
  code: string;
  message: string;
}

interface PendingChange {
  client: Client;
  clientMsgId: string;
  key: string;
}

const key = (convId: string, seq: number): string => `${convId}#${seq}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'ERROR';
}

function clientMsgIdOf(answer: unknown): string | null {
  if (answer && typeof answer === 'object' && typeof (answer as { clientMsgId?: unknown }).clientMsgId === 'string') {
    return (answer as { clientMsgId: string }).clientMsgId;
  }
  return null;
}

export class Scenario {
  readonly rng: Rng;
  readonly words: UniqueWords;
  readonly conversations = new Map<string, ModelConversation>();
  readonly sends: SendIntent[] = [];
  readonly changes: ChangeIntent[] = [];
  /** Every word put into a message's text (sent or edited), accepted or not. */
  readonly issuedWords = new Set<string>();
  readonly failures: OpFailure[] = [];
  /** Refusals of group operations that are not "offline" (the model should not produce them). */
  readonly refusals: OpFailure[] = [];
  readonly trace: string[] = [];
  readonly stats: Record<string, number> = {};
  private readonly recallRequested = new Set<string>();
  private pending: PendingChange[] = [];
  /** Edits whose handler call has not returned yet, by target: a recall must not overtake them. */
  private readonly editing = new Map<string, number>();
  private readonly faults: Faults;
  private groupCount = 0;
  step = 0;

  constructor(
    readonly world: World,
    readonly seed: number,
    readonly mode: Mode,
    private readonly limits: FaultLimits,
  ) {
    this.rng = new Rng(seed);
    this.words = new UniqueWords(this.rng);
    this.faults = new Faults(world, this.rng, limits, { note: (l) => this.note(l), count: (w) => this.count(w) }, (c) => this.read(c));
    for (let i = 0; i < USERS.length; i++) {
      for (let j = i + 1; j < USERS.length; j++) {
        const convId = `p:${USERS[i]}|${USERS[j]}`;
        this.conversations.set(convId, { convId, members: [USERS[i]!, USERS[j]!] });
      }
    }
  }

  private count(what: string): void {
    this.stats[what] = (this.stats[what] ?? 0) + 1;
  }

  private note(line: string): void {
    this.trace.push(`#${this.step} ${line}`);
  }

  private convsOf(client: Client): ModelConversation[] {
    return [...this.conversations.values()].filter((c) => c.members.includes(client.userId));
  }

  private core(client: Client): ClientCore {
    if (!client.core?.current) throw new Error(`${client.name} is not running`);
    return client.core;
  }

  // --- operations --------------------------------------------------------------------------------------------

  /** One user action on a random running client. */
  async act(): Promise<void> {
    const running = this.world.clients.filter((c) => c.running);
    if (running.length === 0) return;
    const client = this.rng.pick(running);
    const weights =
      this.mode === 'full'
        ? { send: 5, edit: 3, recall: 1.2, read: 1.5, group: 1.5 }
        : { send: 6, edit: 0, recall: 0, read: 2, group: 0 };
    const op = this.rng.weighted(weights);
    switch (op) {
      case 'send':
        return this.send(client);
      case 'edit':
        return this.edit(client);
      case 'recall':
        return this.recall(client);
      case 'read':
        return this.read(client);
      case 'group':
        return this.group(client);
    }
  }

  private text(): string {
    const n = this.rng.int(2, 3);
    const words = Array.from({ length: n }, () => this.words.next());
    for (const w of words) this.issuedWords.add(w);
    return words.join(' ');
  }

  /** What the client shows of a conversation (messages with a seq, newest last). */
  private shown(client: Client, convId: string): StoredMessage[] {
    return this.core(client).current!.store.listMessages(convId, { limit: 500 });
  }

  async send(client: Client, to?: ModelConversation): Promise<void> {
    const conv = to ?? this.rng.pick(this.convsOf(client));
    const text = this.text();
    let replyTo: number | undefined;
    if (this.rng.chance(0.25)) {
      const seqs = this.shown(client, conv.convId).flatMap((m) => (m.seq === null ? [] : [m.seq]));
      if (seqs.length > 0) replyTo = this.rng.pick(seqs);
    }
    this.count('op.send');
    try {
      const { clientMsgId } = await call(this.core(client), 'messages.send', { convId: conv.convId, kind: 'text', body: { text }, ...(replyTo ? { replyTo } : {}) });
      this.sends.push({ client: client.name, userId: client.userId, convId: conv.convId, clientMsgId, text });
      this.note(`${client.name} send ${conv.convId} "${text}"${replyTo ? ` replyTo ${replyTo}` : ''}`);
    } catch (error) {
      this.failed(client, 'messages.send', error);
    }
  }

  private failed(client: Client, op: string, error: unknown): void {
    const failure = { step: this.step, client: client.name, op, code: codeOf(error), message: (error as Error).message };
    this.failures.push(failure);
    this.count(`fail.${op}.${failure.code}`);
    this.note(`${client.name} ${op} threw ${failure.code}: ${failure.message}`);
  }

  /** Forgets pending changes the server has acknowledged (no longer in their device's outbox). */
  private refreshPending(): void {
    this.pending = this.pending.filter((p) => !p.client.running || this.core(p.client).current!.store.outbox.get(p.clientMsgId) !== null);
  }

  /** Own text messages with a seq that no device has asked to recall; the newest first. */
  private ownTargets(client: Client): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (const conv of this.convsOf(client)) {
      for (const m of this.shown(client, conv.convId)) {
        if (m.seq === null || m.from !== client.userId || m.kind !== 'text' || m.recalled) continue;
        if (this.recallRequested.has(key(m.convId, m.seq))) continue;
        out.push(m);
      }
    }
    return out.sort((a, b) => b.ts - a.ts);
  }

  async edit(client: Client): Promise<void> {
    const targets = this.ownTargets(client);
    if (targets.length === 0) return this.send(client);
    // Mostly the message just sent; sometimes an older one.
    const target = this.rng.chance(0.7) ? this.rng.pick(targets.slice(0, 2)) : this.rng.pick(targets);
    const times = this.rng.chance(0.4) ? this.rng.int(2, 4) : 1;
    const k = key(target.convId, target.seq!);
    for (let i = 0; i < times; i++) {
      if (this.recallRequested.has(k)) return; // recalled meanwhile (another device, in a burst)
      const text = this.text();
      this.count('op.edit');
      this.editing.set(k, (this.editing.get(k) ?? 0) + 1);
      try {
        const answer: unknown = await call(this.core(client), 'messages.edit', { convId: target.convId, seq: target.seq!, text });
        const clientMsgId = clientMsgIdOf(answer);
        this.changes.push({ kind: 'edit', client: client.name, userId: client.userId, convId: target.convId, seq: target.seq!, text, clientMsgId });
        if (clientMsgId) this.pending.push({ client, clientMsgId, key: k });
        this.note(`${client.name} edit ${target.convId} seq ${target.seq} "${text}"`);
      } catch (error) {
        this.failed(client, 'messages.edit', error);
      } finally {
        this.editing.set(k, this.editing.get(k)! - 1);
      }
    }
  }

  async recall(client: Client): Promise<void> {
    this.refreshPending();
    // Within the window with room to spare, and no other device still holding an edit of it (the recall would
    // overtake that edit, which the server would then refuse); this device's own outbox keeps them in order.
    const busy = new Set(this.pending.filter((p) => p.client !== client).map((p) => p.key));
    for (const [k, n] of this.editing) if (n > 0) busy.add(k);
    const fresh = this.ownTargets(client).filter((m) => m.ts > Date.now() - RECALL_WINDOW_MS / 2 && !busy.has(key(m.convId, m.seq!)));
    if (fresh.length === 0) return this.send(client);
    const edited = fresh.filter((m) => m.edited);
    const target = edited.length > 0 && this.rng.chance(0.5) ? this.rng.pick(edited) : this.rng.pick(fresh);
    const k = key(target.convId, target.seq!);
    this.recallRequested.add(k);
    this.count('op.recall');
    try {
      const answer: unknown = await call(this.core(client), 'messages.recall', { convId: target.convId, seq: target.seq! });
      const clientMsgId = clientMsgIdOf(answer);
      this.changes.push({ kind: 'recall', client: client.name, userId: client.userId, convId: target.convId, seq: target.seq!, clientMsgId });
      if (clientMsgId) this.pending.push({ client, clientMsgId, key: k });
      this.note(`${client.name} recall ${target.convId} seq ${target.seq}${target.edited ? ' (edited)' : ''}`);
    } catch (error) {
      this.failed(client, 'messages.recall', error);
    }
  }

  async read(client: Client): Promise<void> {
    const held = this.convsOf(client)
      .map((c) => this.core(client).current!.store.getConversation(c.convId))
      .filter((c) => c !== null && c.heldSeq > 0);
    if (held.length === 0) return this.send(client);
    const conv = this.rng.pick(held)!;
    const seq = this.rng.chance(0.8) ? conv.heldSeq : this.rng.int(1, conv.heldSeq);
    this.count('op.read');
    try {
      await call(this.core(client), 'conversation.markRead', { convId: conv.convId, seq });
      this.note(`${client.name} read ${conv.convId} up to ${seq}`);
    } catch (error) {
      this.failed(client, 'conversation.markRead', error);
    }
  }

  /** Group operations ask the server directly: only tried while online, and "offline" is an acceptable answer. */
  async group(client: Client): Promise<void> {
    if (!client.online) return this.send(client);
    const owned = [...this.conversations.values()].filter((c) => c.owner === client.userId);
    const op = this.rng.weighted({
      create: this.groupCount < 3 ? (owned.length === 0 ? 4 : 1) : 0,
      update: owned.length > 0 ? 2 : 0,
      bystander: owned.length > 0 ? 2 : 0,
      mute: 1,
    });
    if (op === 'create') return this.groupCreate(client);
    if (op === 'mute') return this.muteConversation(client);
    const conv = this.rng.pick(owned);
    if (op === 'update') {
      const change = this.rng.chance(0.5) ? { name: `Team ${this.words.next()}` } : { announcement: `Notice ${this.words.next()}` };
      return this.groupOp(client, 'group.update', () => call(this.core(client), 'group.update', { groupId: conv.groupId!, ...change }), JSON.stringify(change));
    }
    // The bystander: invited, kicked, muted or unmuted, as the member list shows them to the owner.
    let members: Array<{ userId: string }>;
    try {
      ({ members } = await call(this.core(client), 'group.members', { groupId: conv.groupId!, limit: 500 }));
    } catch (error) {
      return this.groupRefused(client, 'group.members', error);
    }
    const groupId = conv.groupId!;
    if (!members.some((m) => m.userId === BYSTANDER)) {
      return this.groupOp(client, 'group.invite', () => call(this.core(client), 'group.invite', { groupId, userIds: [BYSTANDER] }), groupId);
    }
    const what = this.rng.weighted({ kick: 2, mute: 1, unmute: 1 });
    if (what === 'kick') return this.groupOp(client, 'group.kick', () => call(this.core(client), 'group.kick', { groupId, userIds: [BYSTANDER] }), groupId);
    const untilTs = what === 'mute' ? Date.now() + 3_600_000 : 0;
    return this.groupOp(client, 'group.mute', () => call(this.core(client), 'group.mute', { groupId, userId: BYSTANDER, untilTs }), `${groupId} ${what}`);
  }

  private async groupCreate(client: Client): Promise<void> {
    this.groupCount++;
    const groupId = `grp${this.groupCount}-${this.words.next()}`;
    const others = USERS.filter((u) => u !== client.userId);
    const members = this.rng.chance(0.5) ? [...others, BYSTANDER] : [...others];
    this.count('op.group.create');
    try {
      const { convId } = await call(this.core(client), 'groups.create', { groupId, name: `Group ${this.words.next()}`, members, joinPolicy: 'invite' });
      this.conversations.set(convId, { convId, members: [...USERS], groupId, owner: client.userId });
      this.note(`${client.name} create group ${groupId} with ${members.join(',')}`);
    } catch (error) {
      this.groupRefused(client, 'groups.create', error);
    }
  }

  private async muteConversation(client: Client): Promise<void> {
    const held = this.convsOf(client)
      .map((c) => this.core(client).current!.store.getConversation(c.convId))
      .filter((c) => c !== null && c.heldSeq > 0);
    if (held.length === 0) return this.send(client);
    const conv = this.rng.pick(held)!;
    const muted = !conv.muted;
    return this.groupOp(client, 'conversation.update', () => call(this.core(client), 'conversation.update', { convId: conv.convId, muted }), `${conv.convId} muted=${muted}`);
  }

  private async groupOp(client: Client, op: string, run: () => Promise<unknown>, detail: string): Promise<void> {
    this.count(`op.${op}`);
    try {
      await run();
      this.note(`${client.name} ${op} ${detail}`);
    } catch (error) {
      this.groupRefused(client, op, error);
    }
  }

  private groupRefused(client: Client, op: string, error: unknown): void {
    const code = codeOf(error);
    this.note(`${client.name} ${op} refused ${code}`);
    if (code === 'OFFLINE') {
      this.count(`offline.${op}`);
      return;
    }
    this.refusals.push({ step: this.step, client: client.name, op, code, message: (error as Error).message });
  }

  // --- the run -------------------------------------------------------------------------------------------------

  /** Every private chat gets a first message, so each user's devices list the same conversations from the start. */
  async warmUp(): Promise<void> {
    for (const conv of this.conversations.values()) {
      const client = this.world.clients.find((c) => c.userId === conv.members[0])!;
      await this.send(client, conv);
    }
  }

  async run(steps: number): Promise<void> {
    // Every run kills the server at least once, somewhere in its first half.
    const killAt = this.limits.maxServerKills > 0 ? this.rng.int(Math.ceil(steps / 5), Math.ceil(steps / 2)) : -1;
    for (this.step = 1; this.step <= steps; this.step++) {
      await this.faults.heal(this.step);
      if (this.step === killAt && !this.faults.serverDown) await this.faults.inject(this.step, 'server');
      else if (this.rng.chance(0.15)) await this.faults.inject(this.step);
      if (this.rng.chance(0.15)) {
        // A burst: several users act at once.
        const n = this.rng.int(2, 3);
        await Promise.all(Array.from({ length: n }, () => this.act()));
      } else {
        await this.act();
      }
      await sleep(this.rng.int(0, 12));
    }
    this.step = steps + 1;
    await this.faults.heal(this.step, true);
  }
}
