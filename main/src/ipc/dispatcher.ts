/**
 * The transport-independent IPC dispatcher. Given a method name and an argument from the untrusted side, it
 * checks the method exists, validates the argument against the contract's compiled schema, calls the handler
 * and returns an `ApiResult` value. It never throws and never rejects, whatever it is given.
 */
import { TypeGuard, type TSchema } from '@sinclair/typebox';
import { compile, type Validator } from '../../../protocol/validate.js';
import {
  API_METHOD_NAMES,
  API_METHODS,
  isApiMethod,
  type ApiHandlers,
  type ApiMethod,
  type ApiResult,
  type CallContext,
} from '../../../preload/contract.js';
import { toErrorBody } from './errors.js';
import { describeError, silentLogger, type Logger } from './logger.js';

const validators = Object.fromEntries(API_METHOD_NAMES.map((m) => [m, argValidator(API_METHODS[m].arg)])) as Record<
  ApiMethod,
  Validator<unknown>
>;

/**
 * A union discriminated by a literal `kind` (messages.send) is explained against the variant its `kind`
 * names: "Expected union value" would not tell the renderer's developer what is wrong.
 */
function argValidator(schema: TSchema): Validator<unknown> {
  const whole = compile(schema);
  if (!TypeGuard.IsUnion(schema)) return whole;
  const variants = new Map<unknown, Validator<unknown>>();
  for (const variant of schema.anyOf) {
    const kind: unknown = TypeGuard.IsObject(variant) ? variant.properties.kind : undefined;
    if (TypeGuard.IsLiteral(kind)) variants.set(kind.const, compile(variant));
  }
  return {
    check: whole.check,
    explain(value) {
      const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
      return (variants.get(kind) ?? whole).explain(value);
    },
  };
}

export interface Dispatcher {
  dispatch(method: unknown, arg: unknown, ctx: CallContext): Promise<ApiResult<unknown>>;
}

export interface DispatcherOptions {
  log?: Logger;
}

type AnyHandler = (arg: unknown, ctx: CallContext) => Promise<unknown>;

export function createDispatcher(handlers: ApiHandlers, options: DispatcherOptions = {}): Dispatcher {
  const log = options.log ?? silentLogger;
  // Fail at startup, not at the first call, if a table built at run time lacks a handler.
  const missing = API_METHOD_NAMES.filter((m) => typeof handlers[m] !== 'function');
  if (missing.length > 0) throw new TypeError(`IPC handlers missing: ${missing.join(', ')}`);

  return {
    async dispatch(method, arg, ctx) {
      if (!isApiMethod(method)) {
        const shown = typeof method === 'string' ? method.slice(0, 64) : typeof method;
        return { ok: false, error: { code: 'BAD_REQUEST', message: `unknown method: ${shown}` } };
      }
      let problem: string | null;
      try {
        problem = validators[method].explain(arg);
      } catch {
        problem = 'argument cannot be checked';
      }
      if (problem !== null) return { ok: false, error: { code: 'BAD_REQUEST', message: `${method}: ${problem}` } };
      try {
        const handler = handlers[method] as AnyHandler;
        const value = await handler.call(handlers, arg, ctx);
        return { ok: true, value };
      } catch (error) {
        const { body, expected } = toErrorBody(error);
        if (expected) log.debug({ method, code: body.code }, 'ipc call refused');
        else log.error({ method, err: describeError(error) }, 'ipc handler failed');
        return { ok: false, error: body };
      }
    },
  };
}
