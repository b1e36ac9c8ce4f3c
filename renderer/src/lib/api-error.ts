/**
 * The contract's `isApiError`, restated here on purpose: preload/api-types re-exports the original from
 * contract.ts, whose module-level schemas would pull TypeBox and every protocol schema into the renderer
 * bundle (~50 KB minified) for a three-line check. The shape is the contract's `ApiError` (type-imported).
 */
import type { ApiError } from '../../../preload/api-types';

export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.name === 'ApiError' && typeof v.code === 'string' && typeof v.message === 'string';
}
