import { describe, expect, it } from 'vitest';
import { mentionParts, mentionQueryAt, mentionsIn, withMentionNames } from './mentions.js';

describe('mentionsIn', () => {
  it('finds @ids of the allowed users, once each, in order', () => {
    expect(mentionsIn('@alice look at this, @bob and @alice', ['alice', 'bob'])).toEqual(['alice', 'bob']);
    expect(mentionsIn('ping @alice.', ['alice'])).toEqual(['alice']);
    expect(mentionsIn('你好，@alice 在吗', ['alice'])).toEqual(['alice']);
    expect(mentionsIn('问一下、@alice。', ['alice'])).toEqual(['alice']);
  });
  it('ignores addresses, unknown users and text without mentions', () => {
    expect(mentionsIn('mail me at carol@alice', ['alice'])).toEqual([]);
    expect(mentionsIn('@mallory hi', ['alice'])).toEqual([]);
    expect(mentionsIn('no mentions here', ['alice'])).toEqual([]);
  });
  it('maps @all to the wire value only when the sender may use it', () => {
    expect(mentionsIn('@all meeting at 3, @bob too', ['bob'], { allowAll: true })).toEqual(['@all', 'bob']);
    expect(mentionsIn('@all meeting at 3, @bob too', ['bob'])).toEqual(['bob']);
    expect(mentionsIn('@all @all', [], { allowAll: true })).toEqual(['@all']);
    expect(mentionsIn('see @allison', ['allison'], { allowAll: true })).toEqual(['allison']);
  });
  it('keeps ids with the full id alphabet', () => {
    expect(mentionsIn('hi @ann.lee-2 and @x@y', ['ann.lee-2', 'x@y'])).toEqual(['ann.lee-2', 'x@y']);
  });
});

describe('mentionQueryAt', () => {
  it('finds the mention being typed before the caret', () => {
    expect(mentionQueryAt('@al', 3)).toEqual({ start: 0, query: 'al' });
    expect(mentionQueryAt('hi @bo', 6)).toEqual({ start: 3, query: 'bo' });
    expect(mentionQueryAt('你好，@张', 5)).toEqual({ start: 3, query: '张' });
    expect(mentionQueryAt('hi @', 4)).toEqual({ start: 3, query: '' });
  });
  it('finds none in an address, after a space, or away from the caret', () => {
    expect(mentionQueryAt('carol@al', 8)).toBeNull();
    expect(mentionQueryAt('@al ', 4)).toBeNull();
    expect(mentionQueryAt('@al and more', 12)).toBeNull();
    expect(mentionQueryAt('plain', 5)).toBeNull();
  });
});

describe('mentionParts', () => {
  it('splits out the mentions the message carries, and only those', () => {
    expect(mentionParts('@bob and @carol, see @nobody. @all too', ['bob', '@all'])).toEqual([
      { text: '@bob', mention: 'bob' },
      { text: ' and @carol, see @nobody. ' },
      { text: '@all', mention: '@all' },
      { text: ' too' },
    ]);
  });

  it('keeps a full stop after an id out of the mention, and text without mentions whole', () => {
    expect(mentionParts('thanks @bob.', ['bob'])).toEqual([{ text: 'thanks ' }, { text: '@bob', mention: 'bob' }, { text: '.' }]);
    expect(mentionParts('no one here', undefined)).toEqual([{ text: 'no one here' }]);
    expect(mentionParts('mail carol@bob.com', ['bob'])).toEqual([{ text: 'mail carol@bob.com' }]);
  });
});

describe('withMentionNames', () => {
  const names: Record<string, string> = { bob: 'Bob 李', me: 'Alex', '@all': 'Everyone' };
  const label = (id: string) => names[id] ?? id;

  it('writes only the mentions the message carries as names', () => {
    expect(withMentionNames('@bob see @carol', [], ['bob'], label).text).toBe('@Bob 李 see @carol');
    expect(withMentionNames('@all 开会了，@me 也来', [], ['@all', 'me'], label).text).toBe('@Everyone 开会了，@Alex 也来');
    expect(withMentionNames('@bob hi', [], undefined, label).text).toBe('@bob hi');
    expect(withMentionNames('mail carol@bob', [], ['bob'], label).text).toBe('mail carol@bob');
  });

  it('moves highlight ranges after a mention by the change in length', () => {
    const text = 'hey @bob, tomorrow works';
    const at = text.indexOf('tomorrow');
    const out = withMentionNames(text, [[at, at + 8]], ['bob'], label);
    expect(out.text).toBe('hey @Bob 李, tomorrow works');
    const [[s, e]] = out.ranges as [[number, number]];
    expect(out.text.slice(s, e)).toBe('tomorrow');
  });

  it('keeps ranges before a mention and grows one that reaches into it to the whole name', () => {
    const text = 'ask @bob now';
    const out = withMentionNames(text, [[0, 3], [5, 8], [4, 5]], ['bob'], label);
    const shown = out.ranges.map(([s, e]) => out.text.slice(s, e));
    expect(shown).toEqual(['ask', 'Bob 李', '@']);
    const across = withMentionNames(text, [[2, 11]], ['bob'], label);
    expect(across.text.slice(...(across.ranges[0] as [number, number]))).toBe('k @Bob 李 no');
  });

  it('handles several mentions and ranges at the very ends', () => {
    const text = '@me and @bob';
    const out = withMentionNames(text, [[0, text.length], [8, 12]], ['me', 'bob'], label);
    expect(out.text).toBe('@Alex and @Bob 李');
    expect(out.ranges).toEqual([[0, out.text.length], [10, out.text.length]]);
  });
});
