import { describe, expect, it, vi } from 'vitest';
import { ProtocolError } from '../../../protocol/errors.js';
import type { ApiHandlers, ApiResult, CallContext } from '../../../preload/contract.js';
import { createDispatcher } from './dispatcher.js';
import { IpcError } from './errors.js';
import { fakeHandlers } from './fake-handlers.js';
import type { Logger } from './logger.js';

const ctx: CallContext = { transport: 'host', clientId: 't1' };
const code = (r: ApiResult<unknown>) => (r.ok ? 'OK' : r.error.code);

function recordingLog() {
  const lines: string[] = [];
  const write = (obj: Record<string, unknown>, msg: string) => void lines.push(JSON.stringify({ ...obj, msg }));
  const log: Logger = { debug: write, info: write, warn: write, error: write };
  return { log, lines };
}

describe('dispatcher', () => {
  it('calls the handler with the validated argument and the context', async () => {
    const handler = vi.fn(async () => ({ convId: 'p:a|b' }));
    const d = createDispatcher(fakeHandlers({ 'conversation.startPrivate': handler }));
    const result = await d.dispatch('conversation.startPrivate', { userId: 'b' }, ctx);
    expect(result).toEqual({ ok: true, value: { convId: 'p:a|b' } });
    expect(handler).toHaveBeenCalledWith({ userId: 'b' }, ctx);
  });

  it('refuses methods that are not in the contract, including inherited names', async () => {
    const d = createDispatcher(fakeHandlers());
    for (const method of ['nope', 'constructor', 'toString', '__proto__', 'hasOwnProperty', '', 42, null, undefined, {}, ['session.get']]) {
      const result = await d.dispatch(method, {}, ctx);
      expect(result.ok).toBe(false);
      expect(code(result)).toBe('BAD_REQUEST');
    }
    const long = await d.dispatch('x'.repeat(10_000), {}, ctx);
    expect(!long.ok && long.error.message.length).toBeLessThan(100);
  });

  it('refuses arguments of the wrong shape before any handler runs', async () => {
    const handlers = fakeHandlers();
    const spies = Object.fromEntries(Object.keys(handlers).map((m) => [m, vi.fn(async () => undefined)]));
    const d = createDispatcher(spies as unknown as ApiHandlers);
    const bad: Array<[string, unknown]> = [
      ['session.get', undefined],
      ['session.get', null],
      ['session.get', []],
      ['session.get', { extra: 1 }],
      ['auth.login', { serverUrl: 'http://x', userId: 'alice' }],
      ['auth.login', { serverUrl: 'file:///etc/passwd', userId: 'alice', password: 'pw' }],
      ['auth.login', { serverUrl: 'http://x', userId: 'bad id!', password: 'pw' }],
      ['conversation.markRead', { convId: 'p:a|b', seq: '3' }],
      ['messages.list', { convId: 'g:x', limit: 101 }],
      ['messages.list', { convId: 'g:x', limit: 0 }],
      ['messages.send', { convId: 'g:x', kind: 'system', body: { event: 'x' } }],
      ['messages.send', { convId: 'g:x', kind: 'text', body: { text: '' } }],
      ['messages.send', { convId: 'g:x', kind: 'text', body: { text: 'x'.repeat(8001) } }],
      ['messages.sendFile', { convId: 'g:x', name: 'a.txt', mime: 'text/plain', data: [1, 2, 3] }],
      ['messages.sendFile', { convId: 'g:x', name: 'a.txt', mime: 'text/plain', data: 'AQID' }],
      ['files.read', { convId: 'g:x', fileId: '../../etc/passwd' }],
      ['users.get', { userIds: Array.from({ length: 101 }, (_, i) => `u${i}`) }],
      ['settings.set', { notifications: { enabled: 'yes' } }],
      ['settings.set', { language: 'fr' }],
    ];
    for (const [method, arg] of bad) {
      const result = await d.dispatch(method, arg, ctx);
      expect({ method, arg, code: code(result) }).toMatchObject({ code: 'BAD_REQUEST' });
    }
    for (const spy of Object.values(spies)) expect(spy).not.toHaveBeenCalled();
  });

  it('names the offending field without echoing its value', async () => {
    const d = createDispatcher(fakeHandlers());
    const send = await d.dispatch('messages.send', { convId: 'g:x', kind: 'location', body: { lat: 91, lng: 0, label: '' } }, ctx);
    expect(!send.ok && send.error.message).toMatch(/\/body\/lat/);
    const result = await d.dispatch('auth.login', { serverUrl: 'http://x', userId: 'alice', password: 12345678 }, ctx);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.message).toMatch(/password/);
      expect(result.error.message).not.toMatch(/12345678/);
    }
  });

  it('accepts bytes for sendFile', async () => {
    const d = createDispatcher(fakeHandlers({ 'messages.sendFile': async (arg) => ({ clientMsgId: `c${arg.data.byteLength}` }) }));
    const result = await d.dispatch('messages.sendFile', { convId: 'g:x', name: 'a.bin', mime: 'application/octet-stream', data: new Uint8Array(10) }, ctx);
    expect(result).toEqual({ ok: true, value: { clientMsgId: 'c10' } });
  });

  it('turns typed errors into their code, and anything else into INTERNAL without detail', async () => {
    const { log, lines } = recordingLog();
    const d = createDispatcher(
      fakeHandlers({
        'messages.recall': async () => {
          throw new ProtocolError('FORBIDDEN', 'too late to recall');
        },
        'typing.send': async () => {
          throw new ProtocolError('RATE_LIMITED', 'slow down', { retryAfterMs: 250 });
        },
        'auth.logout': async () => {
          throw new IpcError('OFFLINE', 'no connection');
        },
        'auth.login': async () => {
          throw new Error('database is locked at /home/u/.parley/db.sqlite');
        },
        'session.get': async () => {
          throw 'a string';
        },
        'connection.get': (() => {
          throw new TypeError('sync throw from a non-async handler');
        }) as unknown as ApiHandlers['connection.get'],
      }),
      { log },
    );
    expect(await d.dispatch('messages.recall', { convId: 'g:x', seq: 1 }, ctx)).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'too late to recall' },
    });
    expect(await d.dispatch('typing.send', { convId: 'g:x' }, ctx)).toEqual({
      ok: false,
      error: { code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 250 },
    });
    expect(code(await d.dispatch('auth.logout', {}, ctx))).toBe('OFFLINE');
    const internal = await d.dispatch('auth.login', { serverUrl: 'http://x', userId: 'alice', password: 'hunter22' }, ctx);
    expect(internal).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
    expect(code(await d.dispatch('session.get', {}, ctx))).toBe('INTERNAL');
    expect(code(await d.dispatch('connection.get', {}, ctx))).toBe('INTERNAL');
    // Bugs are logged, with the stack but never the argument.
    expect(lines.join('\n')).toMatch(/database is locked/);
    expect(lines.join('\n')).not.toMatch(/hunter22/);
  });

  it('never rejects, whatever it is handed', async () => {
    const d = createDispatcher(fakeHandlers());
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    const odd: unknown[] = [hostile, Symbol('x'), 10n, () => 1, new Date(), Object.create(null)];
    for (const arg of odd) {
      const result = await d.dispatch('session.get', arg, ctx);
      expect(result.ok).toBe(false);
    }
  });

  it('fails at creation when a run-time handler table lacks a method', () => {
    const partial = { ...fakeHandlers() } as Partial<ApiHandlers>;
    delete partial['messages.send'];
    expect(() => createDispatcher(partial as ApiHandlers)).toThrow(/messages\.send/);
  });
});
