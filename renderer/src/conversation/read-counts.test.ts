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

    advance(READ_COUNT_REFRESH_MS - 1);
    cache.refresh('g:team', 3);
    expect(readCount).toHaveBeenCalledTimes(1);
    advance(1);
    cache.refresh('g:team', 3);
    expect(readCount).toHaveBeenCalledTimes(2);
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
