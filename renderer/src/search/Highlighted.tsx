import { highlightSegments } from '../lib/highlight';

/** A snippet with its matches in <mark>, built as React nodes: the text is never parsed as HTML. */
export function Highlighted({ text, ranges }: { text: string; ranges: ReadonlyArray<readonly [number, number]> }) {
  return (
    <>
      {highlightSegments(text, ranges).map((segment, i) => (segment.match ? <mark key={i}>{segment.text}</mark> : <span key={i}>{segment.text}</span>))}
    </>
  );
}
