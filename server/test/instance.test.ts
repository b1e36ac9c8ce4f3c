/** docs/protocol.md part 2, "The launcher's instance proof": GET /v1/instance. */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { httpErrorCode, useServer } from './harness.js';

const TOKEN = randomBytes(32).toString('hex');
const nonce = () => randomBytes(16).toString('hex');

describe('the instance proof', () => {
  const srv = useServer({ instanceToken: TOKEN });
  const plain = useServer();

  it('answers a nonce with HMAC-SHA256(token, "<nonce>:<port>"), which only the token gives', async () => {
    const port = Number(new URL(srv.url).port);
    const n = nonce();
    const res = await srv.http('GET', `/v1/instance?nonce=${n}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.json).toEqual({ proof: createHmac('sha256', TOKEN).update(`${n}:${port}`).digest('hex') });
    // Another nonce, another proof; the token itself appears nowhere.
    const again = await srv.http('GET', `/v1/instance?nonce=${nonce()}`);
    expect((again.json as { proof: string }).proof).not.toBe((res.json as { proof: string }).proof);
    expect(res.text + again.text).not.toContain(TOKEN);
  });

  it('refuses a missing or malformed nonce with 400 BAD_REQUEST', async () => {
    for (const query of ['', '?nonce=', '?nonce=abc', `?nonce=${nonce().toUpperCase()}`, `?nonce=${'a'.repeat(130)}`, `?nonce=${nonce()}zz`]) {
      const res = await srv.http('GET', `/v1/instance${query}`);
      expect(res.status, query).toBe(400);
      expect(httpErrorCode(res)).toBe('BAD_REQUEST');
    }
  });

  it('is an unknown route (404) on a server started without PARLEY_INSTANCE_TOKEN', async () => {
    const res = await plain.http('GET', `/v1/instance?nonce=${nonce()}`);
    expect(res.status).toBe(404);
    expect(httpErrorCode(res)).toBe('NOT_FOUND');
  });
});
