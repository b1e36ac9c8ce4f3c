import { describe, expect, it } from 'vitest';
import { indexableText } from './index-text.js';
import { parseSearchQuery } from './search-query.js';
import { tokenize } from './text-tokens.js';

describe('indexableText', () => {
  it('spaces CJK characters and leaves ASCII alone', () => {
    expect(indexableText('hello world')).toBe('hello world');
    expect(indexableText('在群聊里').replace(/ +/g, ' ').trim()).toBe('在 群 聊 里');
    expect(indexableText('ＡＢＣ１２３')).toBe('ABC123');
  });
});

describe('tokenize', () => {
  it('folds case and diacritics and keeps original offsets', () => {
    const text = 'Ré\u0301sumé: 群聊!';
    expect(tokenize(text).map((t) => [t.text, text.slice(t.start, t.end)])).toEqual([
      ['resume', 'Ré\u0301sumé'],
      ['群', '群'],
      ['聊', '聊'],
    ]);
  });
});

describe('parseSearchQuery', () => {
  it('quotes every part, spaces CJK, and adds * to Latin words of two letters or more', () => {
    expect(parseSearchQuery('resu 群聊 a')?.match).toBe('"resu"* "群  聊" "a"');
    expect(parseSearchQuery('iPhone手机')?.match).toBe('"iPhone 手  机"');
    expect(parseSearchQuery('NEAR(a b) "x')?.match).toBe('"NEAR(a" "b)" "x"');
  });

  it('returns null when nothing is searchable', () => {
    for (const q of ['', '   ', '"', '*', '()', '。，', '🙂']) expect(parseSearchQuery(q)).toBeNull();
  });

  it('exposes folded phrases for scoring', () => {
    expect(parseSearchQuery('Résumé 群聊')?.phrases).toEqual([
      { tokens: ['resume'], prefix: true },
      { tokens: ['群', '聊'], prefix: false },
    ]);
  });
});
