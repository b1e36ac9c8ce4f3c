/** The sensitive-word filter of the admin API: case-insensitive, masking or rejecting. */
import { ProtocolError, codePointLength } from '../../../protocol/index.js';

export type FilterMode = 'mask' | 'reject';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class SensitiveWordFilter {
  private pattern: RegExp | null = null;
  private mode: FilterMode = 'mask';

  set(words: readonly string[], mode: FilterMode): void {
    const unique = [...new Set(words.map((w) => w.trim()).filter((w) => w.length > 0))];
    // Longest first, so "abcd" is masked whole rather than as "abc" + "d".
    unique.sort((a, b) => b.length - a.length);
    this.pattern = unique.length > 0 ? new RegExp(unique.map(escapeRegExp).join('|'), 'giu') : null;
    this.mode = mode;
  }

  /** Returns the text to store: masked, or unchanged; throws CONTENT_REJECTED in reject mode. */
  apply(text: string): string {
    if (!this.pattern) return text;
    this.pattern.lastIndex = 0;
    if (!this.pattern.test(text)) return text;
    if (this.mode === 'reject') throw new ProtocolError('CONTENT_REJECTED', 'the message contains words that are not allowed');
    this.pattern.lastIndex = 0;
    return text.replace(this.pattern, (m) => '*'.repeat(codePointLength(m)));
  }
}
