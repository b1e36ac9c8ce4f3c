/**
 * After a random mix of everything that changes messages, search must find exactly what a scan of the stored
 * messages finds: the triggers keep the index in step through inserts, merges, recalls, edits and deletes.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase } from './open-database.js';
import { tokenize } from './text-tokens.js';
import { NOW, entry, tempStore, type TempStore } from './test-support.js';

const WORDS = ['alpha', 'beta', 'Gamma', 'délta', '群聊', '讨论', '東京', 'ラーメン', '聊'];
const CONVS = ['g:one', 'g:two', 'p:me|zed'];

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return a / 2 ** 32;
  };
}

function matches(text: string, word: string): boolean {
  if (/^[a-zé]+$/i.test(word)) {
    const folded = tokenize(word)[0]?.text as string;
    return tokenize(text).some((token) => token.text.startsWith(folded));
  }
  return text.includes(word);
}

it('search agrees with a scan of the stored messages after a random workload', () => {
  const rnd = random(7);
  const pickWord = () => WORDS[Math.floor(rnd() * WORDS.length)] as string;
  const sentence = () => Array.from({ length: 1 + Math.floor(rnd() * 4) }, pickWord).join(rnd() < 0.5 ? ' ' : '');
  const nextSeq = new Map<string, number>();
  const seqOf = (convId: string) => {
    const seq = (nextSeq.get(convId) ?? 0) + 1;
    nextSeq.set(convId, seq);
    return seq;
  };
  const pending: Array<{ convId: string; clientMsgId: string }> = [];

  for (let step = 0; step < 600; step++) {
    const convId = CONVS[Math.floor(rnd() * CONVS.length)] as string;
    const held = nextSeq.get(convId) ?? 0;
    const roll = rnd();
    if (roll < 0.45) {
      t.store.applyEntries(convId, [entry(convId, seqOf(convId), { text: sentence(), ts: NOW - 1000 + step })]);
    } else if (roll < 0.6) {
      const clientMsgId = `local-${step}`;
      t.store.insertPending({ convId, clientMsgId, from: 'me', kind: 'text', body: { text: sentence() }, createdAt: NOW + step });
      pending.push({ convId, clientMsgId });
    } else if (roll < 0.7 && pending.length > 0) {
      const sent = pending.splice(Math.floor(rnd() * pending.length), 1)[0] as { convId: string; clientMsgId: string };
      const seq = seqOf(sent.convId);
      if (rnd() < 0.5) t.store.markSent(sent.clientMsgId, { msgId: `ack-${step}`, seq, ts: NOW + step });
      else t.store.applyEntries(sent.convId, [entry(sent.convId, seq, { clientMsgId: sent.clientMsgId, from: 'me', text: sentence() })]);
    } else if (roll < 0.8 && held > 0) {
      t.store.applyEntries(convId, [entry(convId, seqOf(convId), { kind: 'recall', body: { seq: 1 + Math.floor(rnd() * held) } })]);
    } else if (roll < 0.9 && held > 0) {
      t.store.applyEntries(convId, [entry(convId, seqOf(convId), { kind: 'edit', body: { seq: 1 + Math.floor(rnd() * held), text: sentence() } })]);
    } else if (roll < 0.95 && pending.length > 0) {
      const dropped = pending.splice(Math.floor(rnd() * pending.length), 1)[0] as { clientMsgId: string };
      t.store.outbox.delete(dropped.clientMsgId);
    } else if (roll < 0.955) {
      t.store.deleteConversation(convId);
      nextSeq.delete(convId);
      for (let i = pending.length - 1; i >= 0; i--) if (pending[i]?.convId === convId) pending.splice(i, 1);
    }
  }

  t.store.insertPending({ convId: 'g:one', clientMsgId: 'last-1', from: 'me', kind: 'text', body: { text: sentence() } });
  t.store.insertPending({ convId: 'g:two', clientMsgId: 'last-2', from: 'me', kind: 'text', body: { text: '群聊 alpha' } });

  const stored = CONVS.flatMap((convId) => t.store.listMessages(convId, { limit: 500 }))
    .filter((m) => !m.recalled && typeof m.body.text === 'string');
  // the workload must leave enough behind for the comparison to mean something
  expect(stored.length).toBeGreaterThan(80);
  expect(stored.some((m) => m.edited)).toBe(true);
  expect(CONVS.flatMap((convId) => t.store.listMessages(convId, { limit: 500 })).some((m) => m.recalled)).toBe(true);
  expect(stored.some((m) => m.seq === null)).toBe(true);
  for (const word of WORDS) {
    const expected = stored.filter((m) => matches(m.body.text as string, word)).map((m) => m.id).sort();
    const found = t.store.search(word, { limit: 200 }).map((hit) => hit.id).sort();
    expect(found, word).toEqual(expected);
  }

  const db = openDatabase(t.file);
  expect(() => db.prepare(`INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')`).run()).not.toThrow();
  db.close();
});
