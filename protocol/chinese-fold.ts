/**
 * Traditional → simplified Chinese, one character at a time, so that search folds both scripts to one and a
 * query in either finds text in either. The table is OpenCC's TSCharacters (the maintained opencc-js package),
 * the single-character entries of its traditional-to-simplified chain, first candidate each; phrase-level
 * conversion is not needed for matching and would change offsets. Built once, on first use.
 */
import { to } from 'opencc-js/preset/t2cn';

let table: Map<number, number> | null = null;

function dictPairs(dict: string | readonly (readonly [string, string])[]): Array<readonly [string, string]> {
  if (typeof dict !== 'string') return [...dict];
  return dict.split('|').map((entry) => {
    const space = entry.indexOf(' ');
    return [entry.slice(0, space), entry.slice(space + 1)] as const;
  });
}

function build(): Map<number, number> {
  const map = new Map<number, number>();
  for (const group of to.cn ?? []) {
    for (const dict of group) {
      for (const [from, candidates] of dictPairs(dict)) {
        const target = candidates.split(' ')[0] ?? '';
        const fromPoints = [...from];
        const targetPoints = [...target];
        if (fromPoints.length !== 1 || targetPoints.length !== 1) continue; // phrases
        const source = from.codePointAt(0) as number;
        const simplified = target.codePointAt(0) as number;
        if (source !== simplified && !map.has(source)) map.set(source, simplified);
      }
    }
  }
  // A few entries chain (薴 → 苧 → 苎); resolve them so folding is idempotent.
  for (const [source, simplified] of map) {
    let end = simplified;
    for (let hops = 0; map.has(end) && hops < 8; hops++) end = map.get(end) as number;
    map.set(source, end);
  }
  return map;
}

/** The simplified form of a traditional character; the code point itself when there is none. */
export function simplifiedCodePoint(codePoint: number): number {
  table ??= build();
  return table.get(codePoint) ?? codePoint;
}
