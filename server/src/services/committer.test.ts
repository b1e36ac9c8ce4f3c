import { describe, expect, it } from 'vitest';
import type { EntryKind, LogEntry } from '../../../protocol/index.js';
import { Metrics } from '../metrics.js';
import type { AppendItem, AppendOutcome, Storage } from '../storage/storage.js';
import { Committer } from './committer.js';

function item(n: number): AppendItem {
  return { convId: 'p:a|b', convKind: 'private', members: ['a', 'b'], msgId: `m${n}`, clientMsgId: `c${n}`, from: 'a', ts: n, kind: 'text' as EntryKind, body: { text: `${n}` } };
}

describe('Committer', () => {
  it('commits the sends that arrive while a commit runs as one batch, after it', async () => {
    const batches: number[] = [];
    let release: () => void = () => undefined;
    const storage = {
      appendBatch: async (items: readonly AppendItem[]): Promise<AppendOutcome[]> => {
        batches.push(items.length);
        if (batches.length === 1) await new Promise<void>((r) => (release = r));
        return items.map((i) => ({ status: 'stored', entry: { convId: i.convId, seq: 1, msgId: i.msgId } as LogEntry }));
      },
    } as Partial<Storage> as Storage;
    const committer = new Committer(storage, new Metrics());
    const sent = [committer.append(item(0))];
    await new Promise((r) => setImmediate(r));
    // Arriving in separate turns of the event loop while the first commit is still running.
    for (let n = 1; n <= 5; n++) {
      sent.push(committer.append(item(n)));
      await new Promise((r) => setImmediate(r));
    }
    expect(batches).toEqual([1]);
    release();
    expect((await Promise.all(sent)).map((o) => o.status)).toEqual(Array(6).fill('stored'));
    expect(batches).toEqual([1, 5]);
  });
});
