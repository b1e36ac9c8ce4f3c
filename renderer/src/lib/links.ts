/**
 * Web links in message text, found by linkify-it (the markdown-it linkifier: Unicode-aware, knows where a URL
 * ends before CJK punctuation and closing brackets). Only http and https become links; `example.com` without
 * a scheme does too, as http. Everything else stays text: the renderer never makes a `javascript:`, `file:` or
 * custom-scheme link, and the desktop app opens links in the system browser.
 */
import { LinkifyIt } from 'linkify-it';

const linkify = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: false, fuzzyIP: false })
  .add('ftp:', null)
  .add('mailto:', null)
  .add('//', null);

export interface TextPart {
  text: string;
  /** Present on a link: where it goes (always http: or https:). */
  href?: string;
}

/**
 * Where a scheme follows a non-ASCII character directly ("看这个https://…", usual in Chinese), linkify-it sees no
 * word boundary; the text is cut there and each piece matched on its own.
 */
const SCHEME_AFTER_WIDE = /(?<=[^\p{ASCII}])(?=https?:\/\/)/giu;

export function linkParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let plain = '';
  for (const piece of text.split(SCHEME_AFTER_WIDE)) {
    let at = 0;
    for (const m of linkify.match(piece) ?? []) {
      if (!/^https?:\/\//i.test(m.url)) continue;
      plain += piece.slice(at, m.index);
      if (plain) parts.push({ text: plain });
      plain = '';
      parts.push({ text: m.raw, href: m.url });
      at = m.lastIndex;
    }
    plain += piece.slice(at);
  }
  if (plain || parts.length === 0) parts.push({ text: plain });
  return parts;
}
