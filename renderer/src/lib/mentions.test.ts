import { describe, expect, it } from 'vitest';
import { mentionsIn } from './mentions.js';

describe('mentionsIn', () => {
  it('finds @ids of the allowed users, once each, in order', () => {
    expect(mentionsIn('@alice look at this, @bob and @alice', ['alice', 'bob'])).toEqual(['alice', 'bob']);
    expect(mentionsIn('ping @alice.', ['alice'])).toEqual(['alice']);
    expect(mentionsIn('你好，@alice 在吗', ['alice'])).toEqual(['alice']);
  });
  it('ignores addresses, unknown users and text without mentions', () => {
    expect(mentionsIn('mail me at carol@alice', ['alice'])).toEqual([]);
    expect(mentionsIn('@mallory hi', ['alice'])).toEqual([]);
    expect(mentionsIn('no mentions here', ['alice'])).toEqual([]);
  });
});
