/**
 * Builds the renderer-facing `Api` from the contract's lists over any transport. Both hosts (Electron preload,
 * host-mode bridge) use this one function, so `window.api` has the same shape and the same error behaviour
 * whichever runs it: the renderer cannot tell them apart.
 */
import {
  API_EVENT_NAMES,
  API_METHOD_NAMES,
  apiError,
  isApiEventName,
  type Api,
  type ApiEventName,
  type ApiListener,
  type ApiMethod,
  type ApiResult,
} from './contract.js';

/** Sends one call to main and resolves with its result value; rejects only when the transport fails. */
export type CallTransport = (method: ApiMethod, arg: unknown) => Promise<ApiResult<unknown>>;

/** Fans events out to the renderer's listeners; one listener throwing does not starve the others. */
export interface EventHub {
  emit(event: string, payload: unknown): void;
  on<E extends ApiEventName>(event: E, listener: ApiListener<E>): () => void;
}

/** `onListenerError` sees errors thrown by listeners (the page's own bugs); by default they are rethrown later. */
export function createEventHub(onListenerError: (error: unknown) => void = rethrowLater): EventHub {
  const listeners = new Map<ApiEventName, Set<(payload: unknown) => void>>();
  for (const name of API_EVENT_NAMES) listeners.set(name, new Set());
  return {
    emit(event, payload) {
      if (!isApiEventName(event)) return;
      for (const listener of [...(listeners.get(event) ?? [])]) {
        try {
          listener(payload);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
    on(event, listener) {
      const set = listeners.get(event);
      if (!set || typeof listener !== 'function') throw new TypeError(`unknown event: ${String(event)}`);
      const wrapped = listener as (payload: unknown) => void;
      set.add(wrapped);
      return () => {
        set.delete(wrapped);
      };
    },
  };
}

function rethrowLater(error: unknown): void {
  setTimeout(() => {
    throw error;
  }, 0);
}

function unwrap(result: ApiResult<unknown>): unknown {
  if (result.ok) return result.value;
  throw apiError(result.error);
}

export function buildApi(call: CallTransport, hub: EventHub): Api {
  const groups: Record<string, Record<string, (arg?: unknown) => Promise<unknown>>> = {};
  for (const method of API_METHOD_NAMES) {
    const dot = method.indexOf('.');
    const group = method.slice(0, dot);
    const name = method.slice(dot + 1);
    groups[group] ??= {};
    groups[group][name] = async (arg?: unknown) => {
      let result: ApiResult<unknown>;
      try {
        // Methods without arguments may be called as `api.session.get()`.
        result = await call(method, arg === undefined ? {} : arg);
      } catch {
        throw apiError({ code: 'UNAVAILABLE', message: 'the app did not answer' });
      }
      return unwrap(result);
    };
  }
  for (const group of Object.values(groups)) Object.freeze(group);
  const api = { ...groups, on: <E extends ApiEventName>(event: E, listener: ApiListener<E>) => hub.on(event, listener) };
  return Object.freeze(api) as unknown as Api;
}

