/**
 * A complete handler table for tests of transports and hosts: every method fails with NOT_FOUND unless
 * overridden. Not used by the app.
 */
import { API_METHOD_NAMES, type ApiHandlers } from '../../../preload/contract.js';
import { IpcError } from './errors.js';

export function fakeHandlers(overrides: Partial<ApiHandlers> = {}): ApiHandlers {
  const base = Object.fromEntries(
    API_METHOD_NAMES.map((m) => [
      m,
      async () => {
        throw new IpcError('NOT_FOUND', `${m} is not implemented by this fake`);
      },
    ]),
  );
  return { ...base, ...overrides } as ApiHandlers;
}
