import { describe, expect, it } from 'vitest';
import { highlightSegments } from './highlight';

describe('highlightSegments', () => {
  it('splits text around the ranges', () => {
    expect(highlightSegments('hello world', [[6, 11]])).toEqual([
      { text: 'hello ', match: false },
      { text: 'world', match: true },
    ]);
  });

  it('merges overlapping and unsorted ranges', () => {
    expect(highlightSegments('abcdefgh', [[4, 6], [1, 3], [2, 5]])).toEqual([
      { text: 'a', match: false },
      { text: 'bcdef', match: true },
      { text: 'gh', match: false },
    ]);
  });

  it('ignores empty, reversed and out-of-range ranges, and clamps the rest', () => {
    expect(highlightSegments('abc', [[2, 2], [3, 1], [-5, 1], [2, 99]])).toEqual([
      { text: 'a', match: true },
      { text: 'b', match: false },
      { text: 'c', match: true },
    ]);
  });

  it('works on CJK text and never splits a surrogate pair', () => {
    expect(highlightSegments('你好世界', [[2, 4]])).toEqual([
      { text: '你好', match: false },
      { text: '世界', match: true },
    ]);
    const text = 'a😀b';
    const segments = highlightSegments(text, [[2, 3]]);
    expect(segments.map((s) => s.text).join('')).toBe(text);
    expect(segments.find((s) => s.match)?.text).toBe('😀');
  });

  it('returns the whole text unmarked without ranges', () => {
    expect(highlightSegments('<b>x</b>', [])).toEqual([{ text: '<b>x</b>', match: false }]);
  });
});
