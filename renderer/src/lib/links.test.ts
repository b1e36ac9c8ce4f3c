import { describe, expect, it } from 'vitest';
import { linkParts } from './links';

describe('linkParts', () => {
  it('leaves text without links alone', () => {
    expect(linkParts('no links here, just words 你好')).toEqual([{ text: 'no links here, just words 你好' }]);
  });

  it('finds http(s) links and bare domains, stopping at punctuation', () => {
    expect(linkParts('See https://example.com/a?b=1. Or github.com!')).toEqual([
      { text: 'See ' },
      { text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { text: '. Or ' },
      { text: 'github.com', href: 'http://github.com' },
      { text: '!' },
    ]);
  });

  it('ends a link before Chinese punctuation and inside brackets', () => {
    expect(linkParts('看这个https://example.com/文档，很好（https://example.org）')).toEqual([
      { text: '看这个' },
      { text: 'https://example.com/文档', href: 'https://example.com/文档' },
      { text: '，很好（' },
      { text: 'https://example.org', href: 'https://example.org' },
      { text: '）' },
    ]);
  });

  it('never links other schemes', () => {
    for (const text of ['javascript:alert(1)', 'file:///etc/passwd', 'mailto:a@b.c', 'ftp://x.org/f', '//evil.org/x', 'a@b.com']) {
      expect(linkParts(text).some((p) => p.href), text).toBe(false);
    }
  });
});
