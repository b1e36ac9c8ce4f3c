/**
 * Turns a search snippet and its match ranges into plain segments, so the view builds <mark> elements as
 * React nodes and never parses the text as HTML. Ranges come from another process: they are clamped, sorted,
 * merged, and never allowed to split a surrogate pair.
 */
export interface Segment {
  text: string;
  match: boolean;
}

export function highlightSegments(text: string, ranges: ReadonlyArray<readonly [number, number]>): Segment[] {
  const clean = normalizeRanges(text, ranges);
  const out: Segment[] = [];
  let at = 0;
  for (const [start, end] of clean) {
    if (start > at) out.push({ text: text.slice(at, start), match: false });
    out.push({ text: text.slice(start, end), match: true });
    at = end;
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), match: false });
  return out;
}

function normalizeRanges(text: string, ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const valid: Array<[number, number]> = [];
  for (const range of ranges) {
    if (!Array.isArray(range) || range.length < 2) continue;
    let start = Math.max(0, Math.min(text.length, Math.floor(Number(range[0]))));
    let end = Math.max(0, Math.min(text.length, Math.floor(Number(range[1]))));
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) continue;
    if (isLowSurrogate(text.charCodeAt(start))) start -= 1;
    if (isLowSurrogate(text.charCodeAt(end))) end += 1;
    valid.push([start, end]);
  }
  valid.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const range of valid) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
