import { API_METHOD_NAMES, type ApiHandlers } from '../../../preload/contract.js';

/**
 * A plain-object copy of a handler table, each method bound to it, so a table written as a class instance
 * survives spreading and wrapping.
 */
export function bindHandlers(handlers: ApiHandlers): ApiHandlers {
  return Object.fromEntries(
    API_METHOD_NAMES.map((m) => [m, (handlers[m] as (...args: unknown[]) => unknown).bind(handlers)]),
  ) as ApiHandlers;
}
