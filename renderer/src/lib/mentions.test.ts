import { describe, expect, it } from 'vitest';
import { mentionParts, mentionQueryAt, mentionsIn } from './mentions.js';

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
