/** docs/protocol.md "Starting the server": the CLI, its environment, the ready line, SIGTERM and restart. */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_KEY, APP_SECRET, PASSWORD, signedRequest } from './harness.js';
import { ServerProcess } from './server-process.js';
import { pconv, WsClient, wsUrl } from './ws-client.js';

describe('the server CLI', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-'));
  const proc = new ServerProcess(0, dataDir, { PARLEY_APP_KEY: APP_KEY, PARLEY_APP_SECRET: APP_SECRET, PARLEY_SEND_RATE: '3', PARLEY_SEND_BURST: '4' });
  const clients: WsClient[] = [];

  afterAll(async () => {
    for (const c of clients) c.terminate();
    await proc.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function device(token: string, id: string): Promise<WsClient> {
    const c = new WsClient(wsUrl(proc.url));
    clients.push(c);
    await c.opened;
    const hello = await c.hello(token, id);
    if (!hello.ok) throw new Error(`hello: ${hello.error.code}`);
    return c;
  }

  it('prints one ready line, honours its environment, stops on SIGTERM and continues every log on restart', async () => {
    await proc.start();
    expect(proc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(proc.url).not.toMatch(/:0$/);
    expect(proc.stdout).toBe(`listening on ${proc.url}\n`);
    expect((await fetch(`${proc.url}/healthz`)).status).toBe(200);

    const reg = async (userId: string): Promise<string> => {
      const res = await fetch(`${proc.url}/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, password: PASSWORD, name: userId }) });
      expect(res.status).toBe(201);
      return ((await res.json()) as { token: string }).token;
    };
    const alice = await reg('cli-alice');
    await reg('cli-bob');
    const c = new WsClient(wsUrl(proc.url));
    clients.push(c);
    await c.opened;
    const hello = await c.hello(alice, 'd1');
    expect(hello.ok && hello.body.limits.sendPerSecond).toBe(3);
    // PARLEY_APP_KEY / PARLEY_APP_SECRET turn the admin API on.
    const req = signedRequest('POST', '/v1/admin/users', { userId: `cli-${randomUUID().slice(0, 8)}`, name: 'x' });
    const admin = await fetch(proc.url + req.path, { method: 'POST', headers: req.headers, body: req.body });
    expect(admin.status).toBe(201);
    // PARLEY_SEND_BURST=4: the fifth of a pipelined burst is refused.
    const conv = pconv('cli-alice', 'cli-bob');
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => c.req('send', { convId: conv, clientMsgId: `burst-${i}`, kind: 'text', body: { text: `m${i}` } })));
    expect(answers.slice(0, 4).every((a) => a.ok)).toBe(true);
    expect(answers.some((a) => !a.ok && a.error.code === 'RATE_LIMITED')).toBe(true);
    const stored = answers.filter((a) => a.ok).length;

    const ended = await proc.terminate();
    expect(ended).toEqual({ code: 0, signal: null });
    await c.closed; // the connection ends with the process
    expect(proc.stdout).toBe(`listening on ${proc.url}\n`);

    await proc.start();
    const again = await device(alice, 'd1');
    const log = await again.history(conv);
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: stored }, (_, i) => i + 1));
    expect((await again.sendText(conv, 'after restart')).seq).toBe(stored + 1);
  });
});
