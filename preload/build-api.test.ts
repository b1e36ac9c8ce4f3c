import { describe, expect, it, vi } from 'vitest';
import { buildApi, createEventHub, type CallTransport } from './build-api.js';
import { API_METHOD_NAMES, isApiError, type ApiError } from './contract.js';

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(isApiError(error)).toBe(true);
    return error as ApiError;
  }
  throw new Error('expected a rejection');
}

describe('buildApi', () => {
  it('has one function per contract method, grouped by the name’s first part', () => {
    const api = buildApi(async () => ({ ok: true, value: null }), createEventHub());
    for (const method of API_METHOD_NAMES) {
      const [group, name] = method.split('.') as [string, string];
      expect(typeof (api as unknown as Record<string, Record<string, unknown>>)[group]?.[name]).toBe('function');
    }
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.isFrozen(api.messages)).toBe(true);
  });

  it('resolves values, sends {} for argument-less calls, and rejects with typed errors', async () => {
    const call = vi.fn<CallTransport>(async (method) =>
      method === 'session.get'
        ? { ok: true, value: { state: 'signed-out' } }
        : { ok: false, error: { code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 500 } },
    );
    const api = buildApi(call, createEventHub());
    await expect(api.session.get()).resolves.toEqual({ state: 'signed-out' });
    expect(call).toHaveBeenCalledWith('session.get', {});
    const error = await rejection(api.typing.send({ convId: 'p:a|b' }));
    expect(error).toEqual({ name: 'ApiError', code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 500 });
  });

  it('turns a failing transport into UNAVAILABLE', async () => {
    const api = buildApi(() => Promise.reject(new Error('gone')), createEventHub());
    expect((await rejection(api.session.get())).code).toBe('UNAVAILABLE');
    const throwing = buildApi(() => {
      throw new Error('sync');
    }, createEventHub());
    expect((await rejection(throwing.session.get())).code).toBe('UNAVAILABLE');
  });
});

describe('event hub', () => {
  it('delivers to listeners until they unsubscribe, and ignores unknown events', () => {
    const hub = createEventHub();
    const seen: unknown[] = [];
    const off = hub.on('typing:changed', (p) => seen.push(p));
    hub.emit('typing:changed', { convId: 'g:x', userIds: ['a'] });
    hub.emit('no:such-event', {});
    off();
    hub.emit('typing:changed', { convId: 'g:x', userIds: [] });
    expect(seen).toEqual([{ convId: 'g:x', userIds: ['a'] }]);
  });

  it('keeps delivering when a listener throws, and refuses unknown names', () => {
    const errors: unknown[] = [];
    const hub = createEventHub((e) => errors.push(e));
    const seen: string[] = [];
    hub.on('session:changed', () => {
      throw new Error('page bug');
    });
    hub.on('session:changed', (s) => seen.push(s.state));
    hub.emit('session:changed', { state: 'signed-in' });
    expect(seen).toEqual(['signed-in']);
    expect(errors).toHaveLength(1);
    expect(() => hub.on('nope' as 'session:changed', () => {})).toThrow(TypeError);
  });
});
