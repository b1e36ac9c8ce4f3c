import { describe, expect, it } from 'vitest';
import { indexableText } from './index-text.js';
import { parseSearchQuery } from './search-query.js';
import { BOUNDARY, foldedText, tokenize } from './text-tokens.js';

const B = BOUNDARY;

describe('indexableText', () => {
  it('spaces CJK characters, folds the rest, and leaves ASCII alone', () => {
    expect(indexableText('Hello, World!')).toBe('Hello, World!');
    expect(indexableText('在群聊里')).toBe('在 群 聊 里');
    expect(indexableText('ＡＢＣ１２３ Résumé')).toBe('abc123 resume');
  });

  it('puts a boundary token where separators stand next to a CJK character or emoji, and only there', () => {
    expect(indexableText('春，風光')).toBe(`春 ${B} 风 光`);
    expect(indexableText('月漸明，\n月照')).toBe(`月 渐 明 ${B} 月 照`);
    expect(indexableText('iPhone 手机')).toBe(`iphone ${B} 手 机`);
    expect(indexableText('新的iPhone手机')).toBe('新 的 iphone 手 机');
    expect(indexableText('café, naïve')).toBe('cafe naive');
    expect(indexableText('go 🎉 now')).toBe(`go ${B} 🎉 ${B} now`);
  });

  it('never lets text produce a boundary token of its own', () => {
    expect(indexableText(`春${B}风 \u{f0041}`)).toBe(`春 ${B} 风`);
  });
});

describe('tokenize', () => {
  it('folds case and diacritics and keeps original offsets', () => {
    const text = 'Ré\u0301sumé: 群聊!';
    expect(tokenize(text).map((t) => [t.text, text.slice(t.start, t.end), t.kind])).toEqual([
      ['resume', 'Ré\u0301sumé', 'word'],
      [B, '', 'boundary'],
      ['群', '群', 'char'],
      ['聊', '聊', 'char'],
    ]);
  });

  it('folds traditional to simplified and NFKC forms, keeping the original offsets', () => {
    const text = '為什麼 ﾊﾟﾝ ㍻';
    expect(tokenize(text).filter((t) => t.kind !== 'boundary').map((t) => [t.text, text.slice(t.start, t.end)])).toEqual([
      ['为', '為'], ['什', '什'], ['么', '麼'], ['パ', 'ﾊﾟ'], ['ン', 'ﾝ'], ['平', '㍻'], ['成', '㍻'],
    ]);
  });

  it('makes each emoji a token, its modifiers and joiners part of it', () => {
    const text = '👍🏽👨‍👩‍👧!';
    expect(tokenize(text).map((t) => [t.text, text.slice(t.start, t.end)])).toEqual([
      ['👍', '👍🏽'], ['👨', '👨\u200d'], ['👩', '👩\u200d'], ['👧', '👧'],
    ]);
  });
});

describe('foldedText', () => {
  it('joins touching tokens and keeps one space for separators', () => {
    expect(foldedText('春，風光')).toBe('春 风光');
    expect(foldedText('Ａ為b  c')).toBe('a为b c');
  });
});

describe('parseSearchQuery', () => {
  it('quotes every part, spaces CJK, and adds * to Latin words of two letters or more', () => {
    expect(parseSearchQuery('resu 群聊 a')?.match).toBe('"resu"* "群 聊" "a"');
    expect(parseSearchQuery('iPhone手机')?.match).toBe('"iphone 手 机"');
    expect(parseSearchQuery('NEAR(a b) "x')?.match).toBe('"near a" "b" "x"');
    expect(parseSearchQuery('春，風')?.match).toBe(`"春 ${B} 风"`);
    expect(parseSearchQuery('🎉')?.match).toBe('"🎉"');
  });

  it('returns null when nothing is searchable', () => {
    for (const q of ['', '   ', '"', '*', '()', '。，', '\u200d\ufe0f', `${B}\u{f0000}`]) expect(parseSearchQuery(q)).toBeNull();
  });

  it('exposes folded phrases for scoring', () => {
    expect(parseSearchQuery('Résumé 群聊')?.phrases).toEqual([
      { tokens: ['resume'], prefix: true },
      { tokens: ['群', '聊'], prefix: false },
    ]);
  });
});
