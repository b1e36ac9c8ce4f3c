import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/server.js';
import { AvatarCache } from './avatar-cache.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function cache(maxBytes: number) {
  const dir = tempDir('avatars');
  dirs.push(dir);
  const fetched: string[] = [];
  const fetcher = async (avatar: string, size: 'list' | 'profile') => {
    fetched.push(`${size} ${avatar}`);
    return { bytes: new Uint8Array(size === 'list' ? 100 : 400).fill(avatar.length), mime: 'image/webp' };
  };
  return { dir, fetched, make: () => new AvatarCache(dir, fetcher, maxBytes) };
}

describe('AvatarCache', () => {
  it('fetches each avatar and size once, also when asked for twice at the same time, and across a restart', async () => {
    const { fetched, make } = cache(10_000);
    const first = make();
    const [a, b] = await Promise.all([first.read('/v1/avatars/a', 'list'), first.read('/v1/avatars/a', 'list')]);
    expect(a).toEqual(b);
    await first.read('/v1/avatars/a', 'profile');
    expect(fetched).toEqual(['list /v1/avatars/a', 'profile /v1/avatars/a']);

    const again = make();
    expect(await again.read('/v1/avatars/a', 'list')).toEqual({ bytes: new Uint8Array(100).fill(13), mime: 'image/webp' });
    expect(fetched).toHaveLength(2);
  });

  it('stays within its bound, dropping the least recently used', async () => {
    const { fetched, make } = cache(1000);
    const avatars = make();
    for (const id of ['a', 'b', 'c']) await avatars.read(`/v1/avatars/${id}`, 'profile');
    expect(avatars.size).toBeLessThanOrEqual(1000);
    await avatars.read('/v1/avatars/a', 'profile');
    expect(fetched.filter((f) => f === 'profile /v1/avatars/a')).toHaveLength(2);
  });

  it('keeps nothing of a failed fetch', async () => {
    const dir = tempDir('avatars');
    dirs.push(dir);
    let calls = 0;
    const avatars = new AvatarCache(dir, async () => {
      calls += 1;
      throw new Error('unreachable');
    });
    await expect(avatars.read('/v1/avatars/x', 'list')).rejects.toThrow('unreachable');
    await expect(avatars.read('/v1/avatars/x', 'list')).rejects.toThrow('unreachable');
    expect(calls).toBe(2);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
