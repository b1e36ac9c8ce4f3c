import { describe, expect, it, vi } from 'vitest';
import { READ_COUNT_REFRESH_MS, ReadCounts } from './read-counts';

function setup() {
  let now = 1_000_000;
  const readCount = vi.fn((arg: { groupId: string; seq: number }) => Promise.resolve({ count: arg.seq, total: 5 }));
  const cache = new ReadCounts({ group: { readCount } } as never, () => now);
  return { cache, readCount, advance: (ms: number) => (now += ms) };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('ReadCounts', () => {
  it('asks once for concurrent requests and reuses a fresh answer', async () => {
    const { cache, readCount, advance } = setup();
    const heard = vi.fn();
    cache.subscribe('g:team', 3, heard);
    cache.refresh('g:team', 3);
    cache.refresh('g:team', 3);
    cache.refresh('g:team', 3, true);
    expect(readCount).toHaveBeenCalledTimes(1);
    expect(readCount).toHaveBeenCalledWith({ groupId: 'team', seq: 3 });
    await settle();
    expect(cache.get('g:team', 3)).toEqual({ count: 3, total: 5 });
    expect(heard).toHaveBeenCalledTimes(1);

    advance(READ_COUNT_REFRESH_MS / 2);
    cache.refresh('g:team', 3);
    expect(readCount).toHaveBeenCalledTimes(1);
    // The next round's timer fires one period after the first request: that answer is no longer fresh,
    // even though it arrived a moment after the request.
    advance(READ_COUNT_REFRESH_MS / 2);
    cache.refresh('g:team', 3);
    expect(readCount).toHaveBeenCalledTimes(2);
  });

  it('asks again for the rows on screen when the conversation moves on', async () => {
    const { cache, readCount } = setup();
    const off = cache.subscribe('g:team', 5, () => undefined);
    cache.subscribe('g:other', 6, () => undefined);
    cache.refresh('g:team', 5);
    cache.refresh('g:other', 6);
    await settle();
    cache.refresh('g:team', 7); // asked once, no longer on screen (no listener)
    await settle();
    readCount.mockClear();
    cache.refreshConversation('g:team');
    expect(readCount.mock.calls).toEqual([[{ groupId: 'team', seq: 5 }]]);
    await settle();
    off();
    cache.refreshConversation('g:team');
    expect(readCount).toHaveBeenCalledTimes(1);
  });

  it('refreshes on request even when fresh, and keeps the last answer when a request fails', async () => {
    const { cache, readCount } = setup();
    cache.refresh('g:team', 4);
    await settle();
    readCount.mockImplementationOnce(() => Promise.reject(new Error('offline')));
    cache.refresh('g:team', 4, true);
    await settle();
    expect(readCount).toHaveBeenCalledTimes(2);
    expect(cache.get('g:team', 4)).toEqual({ count: 4, total: 5 });
  });
});
