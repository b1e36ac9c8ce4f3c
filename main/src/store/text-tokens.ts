/**
 * The one definition of what search sees in a text. Every code point is folded on its own (so each token keeps
 * its offsets in the original string): NFKC, lower case, no diacritics, traditional Chinese to simplified. Latin
 * (and every other spaced script) forms words; each CJK character and each emoji is a token of its own. Where
 * separators (spaces, punctuation, line breaks) stand between two tokens of which at least one is a CJK character
 * or an emoji, a BOUNDARY token stands for them, so "春，風" is not the adjacent pair 春风.
 *
 * The index holds the tokens of this scan joined by spaces (index-text.ts; FTS5's ascii tokenizer only splits
 * them), queries are built from the same scan (search-query.ts), and scoring and highlighting rescan the
 * candidates (search-rank.ts), so what matches, what is ranked and what is marked cannot disagree.
 */
import { simplifiedCodePoint } from '../../../protocol/chinese-fold.js';

export type TokenKind = 'word' | 'char' | 'boundary';

export interface Token {
  /** Folded text. */
  text: string;
  /** [start, end) in the original string, UTF-16 units. */
  start: number;
  end: number;
  /** word: a run of letters and digits; char: one CJK character or emoji; boundary: separators between them. */
  kind: TokenKind;
}

/**
 * Stands for separators next to a CJK character or emoji. A private-use code point: text never yields one, because
 * private-use characters are separators here, in messages and in queries alike.
 */
export const BOUNDARY = '\ue000';

/**
 * Han (with extensions and compatibility ideographs), kana, hangul, and the marks that live inside those words
 * (々, ヽ, ー …), as code point ranges.
 */
export const CJK_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x11ff], [0x2e80, 0x2fdf], [0x3005, 0x3007], [0x3021, 0x3029], [0x3031, 0x3035], [0x3038, 0x303c],
  [0x3040, 0x30ff], [0x3130, 0x318f], [0x31a0, 0x31ff], [0x3200, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff],
  [0xa960, 0xa97f], [0xac00, 0xd7ff], [0xf900, 0xfaff], [0xff66, 0xff9f], [0x20000, 0x3ffff],
];

export function isCjkCodePoint(codePoint: number): boolean {
  if (codePoint < 0x1100) return false;
  for (const [lo, hi] of CJK_RANGES) {
    if (codePoint < lo) return false;
    if (codePoint <= hi) return true;
  }
  return false;
}

const SEP = 0;
const WORD = 1;
const CHAR = 2;
const MARK = 3;
type PieceKind = typeof SEP | typeof WORD | typeof CHAR | typeof MARK;
/** What one code point folds to; usually one piece, several for NFKC expansions (㈱ → "(株)", ﬁ → "fi"). */
type Piece = readonly [PieceKind, string];

const SEPARATOR: readonly Piece[] = [[SEP, '']];
const SILENT: readonly Piece[] = [[MARK, '']];
const MARKS = /\p{M}/u;
const ALL_MARKS = /\p{M}/gu;
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;
/** Kana voicing marks that NFKC turns half-width ﾞ/ﾟ into; composed with the kana before them. */
const KANA_VOICING = /^[\u3099\u309a]$/u;

const isPrivateUse = (cp: number) =>
  (cp >= 0xe000 && cp <= 0xf8ff) || (cp >= 0xf0000 && cp <= 0xffffd) || (cp >= 0x100000 && cp <= 0x10fffd);
/** Joiners, variation selectors, skin tones, tag characters: part of the emoji before them, not text. */
const isEmojiModifier = (cp: number) =>
  cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x1f3fb && cp <= 0x1f3ff) ||
  (cp >= 0xe0020 && cp <= 0xe007f) || (cp >= 0xe0100 && cp <= 0xe01ef);
const isRegionalIndicator = (cp: number) => cp >= 0x1f1e6 && cp <= 0x1f1ff;

function asciiPieces(code: number): readonly Piece[] {
  if (code >= 0x41 && code <= 0x5a) return [[WORD, String.fromCharCode(code + 32)]];
  if ((code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39)) return [[WORD, String.fromCharCode(code)]];
  return SEPARATOR;
}

function foldCodePoint(codePoint: number, char: string, expanded: boolean): readonly Piece[] {
  if (codePoint < 0x80) return asciiPieces(codePoint);
  if (isPrivateUse(codePoint)) return SEPARATOR;
  if (isEmojiModifier(codePoint)) return SILENT;
  if (isRegionalIndicator(codePoint) || PICTOGRAPHIC.test(char)) return [[CHAR, char]];
  if (MARKS.test(char)) return [[MARK, char]];
  const compatible = char.normalize('NFKC');
  if (compatible !== char && !expanded) {
    const pieces: Piece[] = [];
    for (const part of compatible) pieces.push(...foldCodePoint(part.codePointAt(0) as number, part, true));
    return pieces;
  }
  if (isCjkCodePoint(codePoint)) return [[CHAR, String.fromCodePoint(simplifiedCodePoint(codePoint))]];
  if (!LETTER_OR_DIGIT.test(char)) return SEPARATOR;
  const pieces: Piece[] = [];
  for (const part of char.normalize('NFKD').replace(ALL_MARKS, '').toLowerCase()) {
    pieces.push(LETTER_OR_DIGIT.test(part) ? [WORD, part] : [SEP, '']);
  }
  return pieces.length > 0 ? pieces : SILENT;
}

/** Folds of the non-ASCII code points seen, by code point; bounded so odd input cannot grow it forever. */
const foldCache = new Map<number, readonly Piece[]>();
const CACHE_MAX = 50_000;

function foldOf(codePoint: number, char: string): readonly Piece[] {
  let pieces = foldCache.get(codePoint);
  if (pieces === undefined) {
    pieces = foldCodePoint(codePoint, char, false);
    if (foldCache.size >= CACHE_MAX) foldCache.clear();
    foldCache.set(codePoint, pieces);
  }
  return pieces;
}

/**
 * Receives the tokens of a scan in order. `separated`: separators stood between this token and the one before
 * (for a boundary token: always true).
 */
type Sink = (text: string, start: number, end: number, kind: TokenKind, separated: boolean) => void;

const NONE = 0;

/** The scan every other function here is built on. */
function scan(text: string, sink: Sink): void {
  // The last token is held back until the next one starts: a following mark can still extend it.
  // (typed by assertion: the closures below assign it, which flow analysis does not see)
  let heldKind = NONE as typeof NONE | typeof WORD | typeof CHAR;
  let heldText = '';
  let heldStart = 0;
  let heldEnd = 0;
  let heldSeparated = false;
  /** The kind of the last token released or held, for the boundary rule. */
  let previous = NONE as typeof NONE | typeof WORD | typeof CHAR;
  let separated = false as boolean;

  const release = () => {
    if (heldKind === NONE) return;
    sink(heldText, heldStart, heldEnd, heldKind === WORD ? 'word' : 'char', heldSeparated);
    heldKind = NONE;
  };
  const open = (kind: typeof WORD | typeof CHAR, piece: string, start: number, end: number) => {
    release();
    if (separated && previous !== NONE && (kind === CHAR || previous === CHAR)) sink(BOUNDARY, start, start, 'boundary', true);
    heldKind = kind;
    heldText = piece;
    heldStart = start;
    heldEnd = end;
    heldSeparated = separated && previous !== NONE;
    previous = kind;
    separated = false;
  };

  const length = text.length;
  for (let i = 0; i < length; ) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      const isUpper = code >= 0x41 && code <= 0x5a;
      if (isUpper || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39)) {
        const char = isUpper ? String.fromCharCode(code + 32) : (text[i] as string);
        if (heldKind === WORD && !separated) {
          heldText += char;
          heldEnd = i + 1;
        } else {
          open(WORD, char, i, i + 1);
        }
      } else {
        separated = true;
      }
      i++;
      continue;
    }
    const codePoint = text.codePointAt(i) as number;
    const width = codePoint > 0xffff ? 2 : 1;
    const pieces = foldOf(codePoint, width === 1 ? (text[i] as string) : text.slice(i, i + 2));
    const end = i + width;
    for (const [kind, piece] of pieces) {
      if (kind === SEP) {
        separated = true;
      } else if (kind === WORD) {
        if (heldKind === WORD && !separated) {
          heldText += piece;
          heldEnd = end;
        } else {
          open(WORD, piece, i, end);
        }
      } else if (kind === CHAR) {
        open(CHAR, piece, i, end);
      } else if (heldKind !== NONE && !separated) {
        // A mark or emoji modifier belongs to the token before it, so a highlight covers it.
        heldEnd = end;
        if (heldKind === CHAR && KANA_VOICING.test(piece)) heldText = (heldText + piece).normalize('NFC');
      }
    }
    i = end;
  }
  release();
}

/** Splits text into folded tokens, boundaries included. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  scan(text, (tokenText, start, end, kind) => {
    tokens.push({ text: tokenText, start, end, kind });
  });
  return tokens;
}

/** The tokens' texts joined by single spaces: what the index holds for a text (and a query phrase is made of). */
export function tokenText(text: string): string {
  let out = '';
  scan(text, (piece) => {
    out = out === '' ? piece : `${out} ${piece}`;
  });
  return out;
}

/**
 * The folded text as a string: tokens joined directly where they touch, by one space where separators stood
 * between them. A CJK or emoji query matches a text exactly when the folded text includes the folded query,
 * which is what the tests check search against.
 */
export function foldedText(text: string): string {
  let out = '';
  scan(text, (piece, _start, _end, kind, separated) => {
    if (kind === 'boundary') return;
    out += separated ? ` ${piece}` : piece;
  });
  return out;
}
