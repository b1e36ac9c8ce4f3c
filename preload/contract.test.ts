import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  API_EVENT_NAMES,
  API_METHOD_NAMES,
  apiError,
  isApiError,
  type Api,
  type ApiArg,
  type ApiHandlers,
  type ApiReturn,
  type SessionView,
} from './contract.js';

describe('contract', () => {
  it('names methods `group.name` and events `noun:verb`', () => {
    for (const m of API_METHOD_NAMES) expect(m).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
    for (const e of API_EVENT_NAMES) expect(e).toMatch(/^[a-z]+(-[a-z]+)*:[a-z]+(-[a-z]+)*$/);
    // `on` is the subscribe function of the grouped api.
    expect(API_METHOD_NAMES.some((m) => m.startsWith('on.'))).toBe(false);
  });

  it('recognizes its error shape', () => {
    expect(isApiError(apiError({ code: 'FORBIDDEN', message: 'no' }))).toBe(true);
    expect(isApiError(new Error('x'))).toBe(false);
    expect(isApiError({ name: 'ApiError', code: 1, message: 'x' })).toBe(false);
  });

  it('derives results, arguments and the grouped api', () => {
    expectTypeOf<ApiReturn<'session.get'>>().toEqualTypeOf<SessionView>();
    expectTypeOf<ApiReturn<'messages.send'>>().toEqualTypeOf<{ clientMsgId: string }>();
    expectTypeOf<ApiArg<'conversation.markRead'>>().toEqualTypeOf<{ convId: string; seq: number }>();
    expectTypeOf<Api['session']['get']>().returns.toEqualTypeOf<Promise<SessionView>>();
    expectTypeOf<Api['messages']['send']>().parameter(0).toMatchTypeOf<{ convId: string }>();
    expectTypeOf<Parameters<Api['messages']['sendFile']>[0]['data']>().toEqualTypeOf<Uint8Array>();
    expectTypeOf<ApiHandlers['auth.logout']>().returns.toEqualTypeOf<Promise<void>>();
  });
});
