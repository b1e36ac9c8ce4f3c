/**
 * The property: once faults stop and everything settles, every device shows each of its conversations as the
 * server's log says (messages in seq order, text after the latest edit, edited and recalled flags, nothing
 * pending), its list preview is the last visible message, its search finds every current text and none that was
 * replaced or recalled, and nothing a user did was lost on the way.
 */
import type { LogEntry } from '../../../../protocol/index.js';
import type { MessageSummary, StoredMessage } from '../../store/types.js';
import { call } from '../cores.js';
import type { Scenario } from './scenario.js';
import type { ServerConversation, ShownMessage } from './server-log.js';
import type { Client } from './world.js';

const MAX_PER_CONVERSATION = 6;
const PREVIEW_CHARS = 100;

function shownOf(m: StoredMessage): ShownMessage {
  const text = m.body.text;
  const event = m.body.event;
  return {
    seq: m.seq as number,
    from: m.from,
    kind: m.kind,
    text: m.recalled || m.kind !== 'text' ? null : typeof text === 'string' ? text : null,
    event: m.kind === 'system' && typeof event === 'string' ? event : null,
    edited: !m.recalled && m.edited, // not shown on a recalled message (see foldLog)
    recalled: m.recalled,
    replyTo: m.replyTo ?? null,
  };
}

const show = (m: ShownMessage | undefined): string => (m ? JSON.stringify(m) : 'nothing');

/** Differences between what a device shows and what the log says, seq by seq (the first few). */
function diffViews(actual: ShownMessage[], expected: ShownMessage[]): string[] {
  const out: string[] = [];
  const bySeq = new Map(actual.map((m) => [m.seq, m]));
  const expectedSeqs = new Set(expected.map((m) => m.seq));
  for (const want of expected) {
    const got = bySeq.get(want.seq);
    if (JSON.stringify(got) !== JSON.stringify(want)) out.push(`seq ${want.seq}: expected ${show(want)}, shows ${show(got)}`);
  }
  for (const got of actual) if (!expectedSeqs.has(got.seq)) out.push(`seq ${got.seq}: shows ${show(got)}, the log has no such visible entry`);
  const order = actual.map((m) => m.seq);
  if (order.some((s, i) => i > 0 && s <= order[i - 1]!)) out.push(`not in seq order: ${order.join(',')}`);
  return out;
}

/** What the list shows of the last visible message: the start of its text; a system entry's event (worded by the list). */
function expectedPreview(last: ShownMessage): string {
  if (last.recalled) return '';
  if (last.event !== null) return `[${last.event}]`;
  return [...(last.text ?? '')].slice(0, PREVIEW_CHARS).join('');
}

/** A system entry's preview names its event: in the summary's body (or, before bodies were carried, in its text). */
function shownPreview(summary: MessageSummary): string {
  if (summary.kind !== 'system' || summary.recalled) return summary.preview;
  const event = summary.system?.event;
  return `[${typeof event === 'string' ? event : summary.preview}]`;
}

export interface Truth {
  /** Per observed user, their conversations on the server. */
  byUser: Map<string, Map<string, ServerConversation>>;
}

/** Everything one device gets wrong. */
export async function checkClient(client: Client, truth: Truth, issuedWords: ReadonlySet<string>): Promise<string[]> {
  const out: string[] = [];
  const say = (line: string) => out.push(`${client.name}: ${line}`);
  const core = client.core;
  const account = core?.current;
  if (!core || !account) return [`${client.name}: not running at the end`];
  const store = account.store;
  const server = truth.byUser.get(client.userId)!;

  const local = new Set(store.listConversations().filter((c) => c.kind !== 'room').map((c) => c.convId));
  for (const id of server.keys()) if (!local.has(id)) say(`does not list ${id}`);
  for (const id of local) if (!server.has(id)) say(`lists ${id}, which the server does not list for ${client.userId}`);

  const outbox = store.outbox.list();
  if (outbox.length > 0) {
    say(`outbox not empty: ${outbox.map((i) => `${i.kind} ${i.convId} ${i.state}${i.lastError ? ` (${i.lastError.code})` : ''}`).join('; ')}`);
  }

  for (const [convId, truthConv] of server) {
    const lines: string[] = [];
    const messages = store.listMessages(convId, { limit: 500 });
    const unsent = messages.filter((m) => m.seq === null || m.status !== 'sent');
    for (const m of unsent) lines.push(`message ${m.clientMsgId} is ${m.status} (seq ${m.seq}): "${String(m.body.text ?? '')}"`);
    for (const m of messages) if (m.change) lines.push(`seq ${m.seq} has a ${m.change.status} ${m.change.kind}${m.change.failure ? ` (${m.change.failure.code})` : ''}`);
    const expected = truthConv.shown.slice(-500);
    lines.push(...diffViews(messages.filter((m) => m.seq !== null).map(shownOf), expected));

    const conv = store.getConversation(convId);
    const last = expected.at(-1);
    if (conv && last) {
      const summary = conv.lastMessage;
      if (!summary) lines.push(`preview: none, expected seq ${last.seq}`);
      else if (summary.seq !== last.seq || summary.recalled !== last.recalled || shownPreview(summary) !== expectedPreview(last)) {
        lines.push(`preview: expected seq ${last.seq} "${expectedPreview(last)}"${last.recalled ? ' (recalled)' : ''}, shows seq ${summary.seq} ${summary.kind} "${shownPreview(summary)}"${summary.recalled ? ' (recalled)' : ''}`);
      }
    }
    if (conv) {
      if (conv.readSeq !== truthConv.conv.readSeq) lines.push(`readSeq ${conv.readSeq}, the server has ${truthConv.conv.readSeq}`);
      if (conv.muted !== truthConv.conv.muted) lines.push(`muted ${conv.muted}, the server has ${truthConv.conv.muted}`);
      if (conv.title !== truthConv.conv.title) lines.push(`title "${conv.title}", the server has "${truthConv.conv.title}"`);
    }
    for (const line of lines.slice(0, MAX_PER_CONVERSATION)) say(`${convId} ${line}`);
    if (lines.length > MAX_PER_CONVERSATION) say(`${convId} … and ${lines.length - MAX_PER_CONVERSATION} more`);
  }
  out.push(...(await checkSearch(client, server, issuedWords)).map((l) => `${client.name}: ${l}`));
  return out;
}

/**
 * Search finds each current word of the user's conversations at its message, and nothing for any other word ever
 * put in a message (replaced by an edit, recalled, never sent, or in a conversation the user is not in).
 */
async function checkSearch(client: Client, server: Map<string, ServerConversation>, issued: ReadonlySet<string>): Promise<string[]> {
  const out: string[] = [];
  const core = client.core!;
  const current = new Map<string, { convId: string; seq: number }>();
  for (const [convId, c] of server) {
    for (const m of c.shown) {
      if (m.text === null) continue;
      for (const word of m.text.split(' ')) current.set(word, { convId, seq: m.seq });
    }
  }
  let missed = 0;
  for (const [word, at] of current) {
    const { hits } = await call(core, 'search.query', { query: word, limit: 200 });
    if (hits.length === 1 && hits[0]!.convId === at.convId && hits[0]!.seq === at.seq) continue;
    if (++missed <= MAX_PER_CONVERSATION) {
      out.push(`search "${word}": expected ${at.convId} seq ${at.seq}, found ${hits.map((h) => `${h.convId} seq ${h.seq}`).join(', ') || 'nothing'}`);
    }
  }
  if (missed > MAX_PER_CONVERSATION) out.push(`search: … and ${missed - MAX_PER_CONVERSATION} more current words not found as expected`);
  let stale = 0;
  for (const word of issued) {
    if (current.has(word)) continue;
    const { hits } = await call(core, 'search.query', { query: word, limit: 200 });
    if (hits.length === 0) continue;
    if (++stale <= MAX_PER_CONVERSATION) out.push(`search "${word}" (not current in any of the user's conversations) finds ${hits.map((h) => `${h.convId} seq ${h.seq}`).join(', ')}`);
  }
  if (stale > MAX_PER_CONVERSATION) out.push(`search: … and ${stale - MAX_PER_CONVERSATION} more stale words found`);
  return out;
}

/** Every operation a handler accepted reached the server's log. */
export function checkNothingLost(scenario: Scenario, truth: Truth): string[] {
  const out: string[] = [];
  const logs = new Map<string, LogEntry[]>();
  for (const convs of truth.byUser.values()) for (const [id, c] of convs) logs.set(id, c.entries);
  for (const s of scenario.sends) {
    const log = logs.get(s.convId) ?? [];
    if (!log.some((e) => e.from === s.userId && e.clientMsgId === s.clientMsgId)) out.push(`lost: ${s.client}'s message "${s.text}" to ${s.convId} is not in the server's log`);
  }
  const editsBy = new Map<string, number>();
  for (const c of scenario.changes) {
    const log = logs.get(c.convId) ?? [];
    if (c.kind === 'edit') {
      const who = `${c.userId} in ${c.convId}`;
      editsBy.set(who, (editsBy.get(who) ?? 0) + 1);
      const targetRecalled = log.find((e) => e.seq === c.seq)?.recalled === true;
      // The server erases the edits of a recalled message: then only its clientMsgId, or the count below, finds it.
      const found = c.clientMsgId
        ? log.some((e) => e.kind === 'edit' && e.from === c.userId && e.clientMsgId === c.clientMsgId)
        : targetRecalled || log.some((e) => e.kind === 'edit' && e.from === c.userId && (e.body as { text?: unknown }).text === c.text);
      if (!found) out.push(`lost: ${c.client}'s edit of ${c.convId} seq ${c.seq} to "${c.text}" is not in the server's log`);
    } else {
      const target = log.find((e) => e.seq === c.seq);
      if (!target?.recalled) out.push(`lost: ${c.client}'s recall of ${c.convId} seq ${c.seq} did not recall it on the server`);
    }
  }
  for (const [who, accepted] of editsBy) {
    const [userId, convId] = who.split(' in ') as [string, string];
    const stored = (logs.get(convId) ?? []).filter((e) => e.kind === 'edit' && e.from === userId).length;
    if (stored < accepted) out.push(`lost: ${accepted} edits by ${who} were accepted, the server's log has ${stored}`);
  }
  return out;
}
