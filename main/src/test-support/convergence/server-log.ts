/**
 * The oracle: what every device of a member must show, derived from the server's log alone. The full log of each
 * conversation is fetched with `history` over a raw WebSocket signed in as the member, and recall and edit entries
 * are folded onto their targets here, independently of the client's store.
 */
import { randomUUID } from 'node:crypto';
import type { Conversation, LogEntry } from '../../../../protocol/index.js';
import { WsClient, wsUrl } from '../../../../server/test/ws-client.js';
import { PASSWORD } from './world.js';

/** A message as a conversation shows it (control entries folded in); what client and oracle views are compared on. */
export interface ShownMessage {
  seq: number;
  from: string;
  kind: string;
  /** Text messages: the latest edit's text, or the original; null when recalled or not a text. */
  text: string | null;
  /** System entries: the event. */
  event: string | null;
  edited: boolean;
  recalled: boolean;
  replyTo: number | null;
}

export interface ServerConversation {
  conv: Conversation;
  entries: LogEntry[];
  shown: ShownMessage[];
}

const CONTROL = new Set(['recall', 'edit']);

function textOf(entry: LogEntry): string | null {
  const text = (entry.body as { text?: unknown }).text;
  return typeof text === 'string' ? text : null;
}

/** Folds recall and edit entries onto their targets: visible = every other entry, in seq order. */
export function foldLog(entries: readonly LogEntry[]): ShownMessage[] {
  const editText = new Map<number, string>();
  const recalledSeqs = new Set<number>();
  for (const e of entries) {
    const target = (e.body as { seq?: unknown }).seq;
    if (typeof target !== 'number') continue;
    if (e.kind === 'edit') {
      const text = textOf(e);
      if (text !== null) editText.set(target, text); // entries come in seq order: the last one wins
    } else if (e.kind === 'recall') {
      recalledSeqs.add(target);
    }
  }
  return entries
    .filter((e) => !CONTROL.has(e.kind))
    .map((e) => {
      const recalled = e.recalled === true || recalledSeqs.has(e.seq);
      const event = (e.body as { event?: unknown }).event;
      return {
        seq: e.seq,
        from: e.from,
        kind: e.kind,
        text: recalled || e.kind !== 'text' ? null : (editText.get(e.seq) ?? textOf(e)),
        event: e.kind === 'system' && typeof event === 'string' ? event : null,
        // A recalled message shows only the recall notice, and the server erases its edits with it.
        edited: !recalled && editText.has(e.seq),
        recalled,
        replyTo: e.replyTo ?? null,
      };
    });
}

/** One member's connection to the server, for reading the truth. */
export class ServerReader {
  private constructor(
    readonly userId: string,
    private readonly ws: WsClient,
  ) {}

  static async open(serverUrl: string, userId: string): Promise<ServerReader> {
    const res = await fetch(`${serverUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId, password: PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`login ${userId}: ${res.status} ${await res.text()}`);
    const { token } = (await res.json()) as { token: string };
    const ws = new WsClient(wsUrl(serverUrl));
    ws.keepReceived = false;
    ws.onEvent = () => undefined;
    await ws.opened;
    const hello = await ws.hello(token, `oracle-${randomUUID()}`);
    if (!hello.ok) throw new Error(`hello as ${userId}: ${hello.error.code}`);
    return new ServerReader(userId, ws);
  }

  /** The user's conversations as the server lists them (chatrooms are not part of the run). */
  async conversations(): Promise<Conversation[]> {
    return (await this.ws.call('sync', {})).conversations.filter((c) => c.kind !== 'room');
  }

  /** The whole log of one conversation, seq 1 to the last. */
  async log(convId: string): Promise<LogEntry[]> {
    const entries: LogEntry[] = [];
    for (;;) {
      const page = await this.ws.history(convId, { afterSeq: entries.length, limit: 100 });
      entries.push(...page);
      if (page.length < 100) return entries;
    }
  }

  async everything(): Promise<Map<string, ServerConversation>> {
    const out = new Map<string, ServerConversation>();
    for (const conv of await this.conversations()) {
      const entries = await this.log(conv.convId);
      out.set(conv.convId, { conv, entries, shown: foldLog(entries) });
    }
    return out;
  }

  close(): void {
    this.ws.close();
  }
}
