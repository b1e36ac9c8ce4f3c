import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SearchHit } from './types.js';
import { DAY, NOW, entry, tempStore, type TempStore } from './test-support.js';

const G = 'g:team';
const P = 'p:alice|me';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

/** Stores texts as consecutive entries of `convId`, newest last. */
function put(convId: string, texts: string[], from = 'alice'): void {
  const start = (t.store.getConversation(convId)?.lastSeq ?? 0) + 1;
  t.store.applyEntries(
    convId,
    texts.map((text, i) => entry(convId, start + i, { text, from, ts: NOW - DAY + (start + i) * 1000 })),
  );
}

const texts = (hits: SearchHit[]) =>
  hits.map((hit) => t.store.getMessage(hit.convId, hit.seq as number)?.body.text as string);
const marked = (hit: SearchHit) => hit.snippet.ranges.map(([s, e]) => hit.snippet.text.slice(s, e));

describe('search: Chinese, Japanese, Korean', () => {
  beforeEach(() => {
    put(G, ['我们在群聊里讨论', '聊天记录', '今天开会', '東京でラーメンを食べた', 'カタカナのテスト', '한국어 메시지입니다', 'nothing here']);
  });

  it('finds a two-character substring', () => {
    expect(texts(t.store.search('群聊'))).toEqual(['我们在群聊里讨论']);
  });

  it('finds a single character wherever it occurs', () => {
    expect(texts(t.store.search('聊')).sort()).toEqual(['我们在群聊里讨论', '聊天记录'].sort());
  });

  it('finds longer runs and only exact substrings', () => {
    expect(texts(t.store.search('在群聊里讨'))).toEqual(['我们在群聊里讨论']);
    expect(t.store.search('群里')).toEqual([]);
  });

  it('finds Japanese kana and kanji, Korean hangul', () => {
    expect(texts(t.store.search('ラーメン'))).toEqual(['東京でラーメンを食べた']);
    expect(texts(t.store.search('東京'))).toEqual(['東京でラーメンを食べた']);
    expect(texts(t.store.search('カナ'))).toEqual(['カタカナのテスト']);
    expect(texts(t.store.search('메시지'))).toEqual(['한국어 메시지입니다']);
  });

  it('folds half-width katakana to the full-width form', () => {
    expect(texts(t.store.search('ﾗｰﾒﾝ'))).toEqual(['東京でラーメンを食べた']);
  });

  it('marks the CJK match in the snippet', () => {
    const [hit] = t.store.search('群聊');
    expect(hit?.snippet.text).toBe('我们在群聊里讨论');
    expect(marked(hit as SearchHit)).toEqual(['群聊']);
  });
});

describe('search: exact CJK matching', () => {
  beforeEach(() => {
    put(G, ['春，風光', '月漸明，月照', '春风又绿江南岸', '明月几时有', '春\n风', '春 风', '一路春风']);
  });

  it('matches only characters adjacent as written: punctuation, spaces and line breaks break a match', () => {
    expect(texts(t.store.search('春風')).sort()).toEqual(['一路春风', '春风又绿江南岸'].sort());
    expect(texts(t.store.search('明月'))).toEqual(['明月几时有']);
    expect(texts(t.store.search('风光'))).toEqual(['春，風光']);
  });

  it('matches across punctuation when the query has it too', () => {
    expect(texts(t.store.search('明，月'))).toEqual(['月漸明，月照']);
    expect(texts(t.store.search('春、风')).sort()).toEqual(['春 风', '春\n风', '春，風光'].sort());
  });
});

describe('search: traditional and simplified Chinese', () => {
  beforeEach(() => {
    put(G, ['为什么不行', '為什麼可以', '我们的发展', '這個軟體很好用']);
  });

  it('finds simplified text with a traditional query and the reverse', () => {
    expect(texts(t.store.search('為什麼')).sort()).toEqual(['为什么不行', '為什麼可以'].sort());
    expect(texts(t.store.search('为什么')).sort()).toEqual(['为什么不行', '為什麼可以'].sort());
    expect(texts(t.store.search('發展'))).toEqual(['我们的发展']);
    expect(texts(t.store.search('这个软体'))).toEqual(['這個軟體很好用']);
  });

  it('marks the match in the original script', () => {
    const hit = t.store.search('为什么').find((h) => h.snippet.text.startsWith('為'));
    expect(marked(hit as SearchHit)).toEqual(['為什麼']);
  });
});

describe('search: emoji', () => {
  beforeEach(() => {
    put(G, ['party tonight 🎉🎉', '👍🏽 sounds good', 'family 👨\u200d👩\u200d👧 photo', '好的👍', 'no emoji here']);
  });

  it('finds the messages containing an emoji, skin tone and joiners folded away', () => {
    expect(texts(t.store.search('🎉'))).toEqual(['party tonight 🎉🎉']);
    expect(texts(t.store.search('👍')).sort()).toEqual(['👍🏽 sounds good', '好的👍'].sort());
    expect(texts(t.store.search('👨\u200d👩\u200d👧'))).toEqual(['family 👨\u200d👩\u200d👧 photo']);
    expect(texts(t.store.search('👍 good'))).toEqual(['👍🏽 sounds good']);
    expect(texts(t.store.search('的👍'))).toEqual(['好的👍']);
  });

  it('marks the emoji with its modifiers', () => {
    const [hit] = t.store.search('👍🏻 sounds');
    expect(marked(hit as SearchHit)).toEqual(['👍🏽', 'sounds']);
    const [party] = t.store.search('🎉');
    expect(marked(party as SearchHit)).toEqual(['🎉🎉']);
  });
});

describe('search: Latin text', () => {
  beforeEach(() => {
    put(G, ['Résumé attached', 'the resume of the meeting', 'RESUMING work tomorrow', 'naïve café', 'Project meeting at 3', 'project plan']);
  });

  it('ignores case and diacritics both ways', () => {
    expect(texts(t.store.search('resume')).sort()).toEqual(['Résumé attached', 'the resume of the meeting'].sort());
    expect(texts(t.store.search('RÉSUMÉ')).sort()).toEqual(['Résumé attached', 'the resume of the meeting'].sort());
    expect(texts(t.store.search('naive cafe'))).toEqual(['naïve café']);
  });

  it('matches prefixes', () => {
    expect(texts(t.store.search('resu')).sort()).toEqual(['RESUMING work tomorrow', 'Résumé attached', 'the resume of the meeting'].sort());
  });

  it('marks the whole matched word, in original spelling', () => {
    const hit = t.store.search('resu').find((h) => h.snippet.text.startsWith('Résumé'));
    expect(marked(hit as SearchHit)).toEqual(['Résumé']);
  });

  it('ANDs several words, in any order', () => {
    expect(texts(t.store.search('meeting project'))).toEqual(['Project meeting at 3']);
    expect(texts(t.store.search('proj  meet'))).toEqual(['Project meeting at 3']);
    expect(t.store.search('project resume')).toEqual([]);
  });

  it('matches a one-letter word whole, not as a prefix', () => {
    put(G, ['a plan', 'another plan']);
    expect(texts(t.store.search('a plan'))).toEqual(['a plan']);
  });

  it('mixes Latin and CJK in one query', () => {
    put(G, ['新的iPhone手机到了', 'iPhone is here']);
    expect(texts(t.store.search('iphone 手机'))).toEqual(['新的iPhone手机到了']);
    expect(texts(t.store.search('iPhone手机'))).toEqual(['新的iPhone手机到了']);
  });

  it('finds file names and location labels', () => {
    t.store.applyEntries(G, [
      entry(G, 100, { kind: 'file', body: { fileId: 'file_abcdefgh', name: 'Quarterly-Report.pdf', size: 10, mime: 'application/pdf' } }),
      entry(G, 101, { kind: 'location', body: { lat: 1, lng: 2, label: '北京西站' } }),
    ]);
    expect(t.store.search('quarterly').map((h) => h.seq)).toEqual([100]);
    expect(t.store.search('西站').map((h) => h.seq)).toEqual([101]);
  });
});

describe('search: hostile input', () => {
  const nasty = [
    '"', '""', '"""', '"unbalanced', 'unbalanced"', '*', '**', 'a*', '*a', '^', '^start', '-', '-meeting', 'meeting -',
    'NEAR', 'NEAR(meeting project)', 'NEAR(a b, 2)', 'AND', 'OR', 'NOT', 'meeting AND', 'OR meeting', 'a OR b NOT c',
    '(', ')', '(meeting', 'meeting)', '((()))', ':', 'text:meeting', 'rank:1', 'messages_fts:x', '{text}: x', '+', '+meeting',
    "'", "it's", '\\', '\\"', '%', '_', '\u0000', '\u200b', '\ud800', '🙂', '🙂🙂 meeting', '。', '，群聊', '　',
    '\ue000', '群\ue000聊', '\u{f0000}', '\u{10fffd}', '\u200d', '\ufe0f', '🏽', '\u{e0067}', '"🙂"*', '群"聊', '\u3099',
    ' ', '', 'a'.repeat(5000), '群'.repeat(3000), 'x '.repeat(500), 'SELECT * FROM messages; --', "'); DROP TABLE messages; --",
  ];

  beforeEach(() => put(G, ['Project meeting at 3', '我们在群聊里讨论', "it's fine"]));

  it.each(nasty.map((q) => [JSON.stringify(q).slice(0, 40), q]))('%s does not throw', (_label, query) => {
    expect(() => t.store.search(query)).not.toThrow();
    expect(() => t.store.search(query, { convId: G, from: 'alice', since: 0, until: NOW })).not.toThrow();
  });

  it('treats syntax characters as separators and operators as words', () => {
    expect(texts(t.store.search('"meeting'))).toEqual(['Project meeting at 3']);
    expect(texts(t.store.search('(project)'))).toEqual(['Project meeting at 3']);
    expect(texts(t.store.search('text:meeting'))).toEqual([]);
    expect(texts(t.store.search("it's"))).toEqual(["it's fine"]);
    expect(t.store.search('meeting OR nothing')).toEqual([]);
    expect(t.store.search('*')).toEqual([]);
  });

  it('treats private-use characters, the boundary token among them, as separators like punctuation', () => {
    put(G, ['群，聊', '群\ue000']);
    expect(texts(t.store.search('群\ue000聊'))).toEqual(['群，聊']);
    expect(texts(t.store.search('\ue000'))).toEqual([]);
    expect(texts(t.store.search('群聊'))).toEqual(['我们在群聊里讨论']);
  });
});

describe('search: filters and ranking', () => {
  it('filters by conversation, sender and date range', () => {
    t.store.applyEntries(G, [
      entry(G, 1, { text: 'deploy old', from: 'alice', ts: NOW - 10 * DAY }),
      entry(G, 2, { text: 'deploy new', from: 'bob', ts: NOW - DAY }),
    ]);
    t.store.applyEntries(P, [entry(P, 1, { text: 'deploy private', from: 'alice', ts: NOW - 2 * DAY })]);
    const seqs = (hits: SearchHit[]) => hits.map((h) => `${h.convId}#${h.seq}`).sort();
    expect(seqs(t.store.search('deploy'))).toEqual([`${G}#1`, `${G}#2`, `${P}#1`]);
    expect(seqs(t.store.search('deploy', { convId: G }))).toEqual([`${G}#1`, `${G}#2`]);
    expect(seqs(t.store.search('deploy', { from: 'alice' }))).toEqual([`${G}#1`, `${P}#1`]);
    expect(seqs(t.store.search('deploy', { since: NOW - 3 * DAY }))).toEqual([`${G}#2`, `${P}#1`]);
    expect(seqs(t.store.search('deploy', { until: NOW - 2 * DAY }))).toEqual([`${G}#1`, `${P}#1`]);
    expect(seqs(t.store.search('deploy', { since: NOW - 3 * DAY, until: NOW - 2 * DAY, convId: P, from: 'alice' }))).toEqual([`${P}#1`]);
    expect(t.store.search('deploy', { since: NOW - 2 * DAY + 1, until: NOW - 2 * DAY + 2 })).toEqual([]);
  });

  it('ranks by relevance at equal age and by recency at equal relevance', () => {
    const ts = NOW - DAY;
    t.store.applyEntries(G, [
      entry(G, 1, { text: 'budget budget budget review', ts }),
      entry(G, 2, { text: 'we should talk about the budget some day when everybody is back from the holidays', ts }),
      entry(G, 3, { text: 'budgets are due', ts }),
    ]);
    // Repeated in a short message first; diluted in a long message last.
    expect(t.store.search('budget').map((h) => h.seq)).toEqual([1, 3, 2]);
    t.store.applyEntries(P, [
      entry(P, 1, { text: 'lunch plans', ts: NOW - 30 * DAY }),
      entry(P, 2, { text: 'lunch plans', ts: NOW - 2 * DAY }),
      entry(P, 3, { text: 'lunch plans', ts: NOW - 10 * DAY }),
    ]);
    expect(t.store.search('lunch', { convId: P }).map((h) => h.seq)).toEqual([2, 3, 1]);
  });

  it('ranks a whole-word match above a prefix-only match of the same age', () => {
    const ts = NOW - DAY;
    t.store.applyEntries(G, [entry(G, 1, { text: 'planning now', ts }), entry(G, 2, { text: 'plan now', ts })]);
    expect(t.store.search('plan').map((h) => h.seq)).toEqual([2, 1]);
  });

  it('limits the number of hits', () => {
    put(G, Array.from({ length: 30 }, (_, i) => `note number ${i}`));
    expect(t.store.search('note', { limit: 7 })).toHaveLength(7);
    expect(t.store.search('note')).toHaveLength(30);
  });
});

describe('search: hits', () => {
  it('carry the mentions of their message', () => {
    t.store.applyEntries(G, [
      entry(G, 1, { text: 'lunch @bob @carol?', mentions: ['bob', 'carol'] }),
      entry(G, 2, { text: 'lunch alone' }),
    ]);
    const hits = t.store.search('lunch');
    expect(hits.find((h) => h.seq === 1)?.mentions).toEqual(['bob', 'carol']);
    expect(hits.find((h) => h.seq === 2)).not.toHaveProperty('mentions');
  });
});

describe('search: snippets', () => {
  it('windows long text around the first match, with plain-text ellipses and no markup', () => {
    const long = `${'lorem ipsum '.repeat(30)}<b>target</b> & more\nafter ${'dolor sit '.repeat(30)}`;
    put(G, [long]);
    const [hit] = t.store.search('target');
    expect(hit?.snippet.text.startsWith('…')).toBe(true);
    expect(hit?.snippet.text.endsWith('…')).toBe(true);
    expect(hit?.snippet.text).toContain('<b>target</b> & more after');
    expect(marked(hit as SearchHit)).toEqual(['target']);
    expect(hit?.snippet.text.length).toBeLessThanOrEqual(122);
  });

  it('marks every match of every word inside the window', () => {
    put(G, ['Meeting: the project meeting is about the PROJECT']);
    const [hit] = t.store.search('meeting project');
    expect(marked(hit as SearchHit)).toEqual(['Meeting', 'project', 'meeting', 'PROJECT']);
  });

  it('does not split surrogate pairs', () => {
    put(G, [`${'🙂'.repeat(40)} target ${'🙂'.repeat(80)}`]);
    const [hit] = t.store.search('target');
    expect(hit?.snippet.text).not.toMatch(/^…?[\udc00-\udfff]/);
    expect(hit?.snippet.text).not.toMatch(/[\ud800-\udbff]…?$/);
  });
});

describe('search: index follows the messages', () => {
  it('drops a recalled message, by recall entry or by a recalled copy', () => {
    put(G, ['secret plan one', 'secret plan two']);
    expect(t.store.search('secret')).toHaveLength(2);
    t.store.applyEntries(G, [entry(G, 3, { kind: 'recall', body: { seq: 1 }, from: 'alice' })]);
    expect(texts(t.store.search('secret'))).toEqual(['secret plan two']);
    t.store.applyEntries(G, [entry(G, 2, { recalled: true, body: {} })]);
    expect(t.store.search('secret')).toEqual([]);
  });

  it('follows edits', () => {
    put(G, ['first draft wording']);
    t.store.applyEntries(G, [entry(G, 2, { kind: 'edit', body: { seq: 1, text: 'final 定稿 wording' } })]);
    expect(t.store.search('draft')).toEqual([]);
    expect(t.store.search('定稿').map((h) => h.seq)).toEqual([1]);
    expect(t.store.getMessage(G, 1)?.edited).toBe(true);
  });

  it('finds pending messages and forgets deleted ones', () => {
    t.store.insertPending({ convId: G, clientMsgId: 'local-1', from: 'me', kind: 'text', body: { text: 'unsent 草稿' } });
    const [hit] = t.store.search('草稿');
    expect(hit?.seq).toBeNull();
    t.store.outbox.delete('local-1');
    expect(t.store.search('草稿')).toEqual([]);
  });

  it('forgets a conversation that is deleted', () => {
    put(G, ['keep nothing']);
    t.store.deleteConversation(G);
    expect(t.store.search('nothing')).toEqual([]);
  });
});
