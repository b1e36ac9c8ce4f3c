/**
 * Message ids are ts * 1024 + n: unique, and ordered by time whatever order messages arrive in (history is
 * fetched backwards, gaps are filled late). The full-text index uses them as rowids, so "newest matches first"
 * is the index's own order and a date range is a rowid range. 1024 slots per millisecond; a full millisecond
 * spills into the next one. Stays a safe integer until the year 2248.
 */
export const IDS_PER_MS = 1024;
/** Upper bound on timestamps accepted, so ids stay safe integers. */
const MAX_TS = Math.floor(Number.MAX_SAFE_INTEGER / IDS_PER_MS) - 1;

export function idFloorForTs(ts: number): number {
  return Math.min(Math.max(Math.trunc(ts), 0), MAX_TS) * IDS_PER_MS;
}

/** Allocates ids within one transaction; ids it hands out are not yet in the table, so it remembers them. */
export class IdAllocator {
  private readonly next = new Map<number, number>();

  /** `maxIdIn(lo, hi)`: the highest stored id in [lo, hi), or null. */
  constructor(private readonly maxIdIn: (lo: number, hi: number) => number | null) {}

  allocate(ts: number): number {
    let block = idFloorForTs(ts);
    for (;;) {
      let candidate = this.next.get(block);
      if (candidate === undefined) {
        const max = this.maxIdIn(block, block + IDS_PER_MS);
        candidate = max === null ? block : max + 1;
      }
      if (candidate < block + IDS_PER_MS) {
        this.next.set(block, candidate + 1);
        return candidate;
      }
      this.next.set(block, candidate);
      block += IDS_PER_MS;
    }
  }
}
