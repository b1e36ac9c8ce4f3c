/**
 * Main's typed event source: the core emits `ApiEvents`, and each transport (the Electron window, host-mode
 * sockets) and the notifier subscribe. A throwing listener is logged and does not stop the others.
 */
import type { ApiEventName, ApiEvents } from '../../../preload/contract.js';
import { describeError, silentLogger, type Logger } from './logger.js';

export type AnyEventListener = <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void;

export interface ApiEventSource {
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  /** Every event, for transports that forward them all. */
  onAny(listener: AnyEventListener): () => void;
}

export interface ApiEventBus extends ApiEventSource {
  emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void;
}

export function createEventBus(options: { log?: Logger } = {}): ApiEventBus {
  const log = options.log ?? silentLogger;
  const byEvent = new Map<ApiEventName, Set<(payload: never) => void>>();
  const any = new Set<AnyEventListener>();

  const guard = (event: ApiEventName, fn: () => void) => {
    try {
      fn();
    } catch (error) {
      log.error({ event, err: describeError(error) }, 'event listener failed');
    }
  };

  return {
    on(event, listener) {
      let set = byEvent.get(event);
      if (!set) byEvent.set(event, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    onAny(listener) {
      any.add(listener);
      return () => {
        any.delete(listener);
      };
    },
    emit(event, payload) {
      for (const listener of [...(byEvent.get(event) ?? [])]) {
        guard(event, () => (listener as (p: typeof payload) => void)(payload));
      }
      for (const listener of [...any]) guard(event, () => listener(event, payload));
    },
  };
}
