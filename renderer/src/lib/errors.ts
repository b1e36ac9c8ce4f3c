/** Turns whatever `window.api` rejected with into a translated sentence for the user. */
import type { TFunction } from 'i18next';
import type { ApiErrorCode } from '../../../preload/api-types';
import { NOT_CONTACTS_REASON, UPLOAD_QUOTA_REASON } from '../../../protocol/pure.js';
import { isApiError } from './api-error';

const KNOWN: ReadonlySet<string> = new Set<ApiErrorCode>([
  'BAD_REQUEST', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'BLOCKED', 'MUTED',
  'TOO_LARGE', 'GROUP_FULL', 'CONTENT_REJECTED', 'INTERNAL', 'UNAVAILABLE', 'OFFLINE',
]);

export function errorCode(error: unknown): ApiErrorCode | null {
  return isApiError(error) ? error.code : null;
}

export function errorText(error: unknown, t: TFunction): string {
  if (!isApiError(error)) return t('errors.unknown');
  if (error.reason) return t(`errors.register.${error.reason}`);
  if (error.code === 'RATE_LIMITED' && typeof error.retryAfterMs === 'number' && error.retryAfterMs > 0) {
    return t('errors.RATE_LIMITED_after', { count: Math.ceil(error.retryAfterMs / 1000) });
  }
  if (KNOWN.has(error.code)) return t(`errors.${error.code}`);
  return t('errors.unknown');
}

/** Same as errorText for an error body carried in a view (a failed message's `failure`). */
export function failureText(failure: { code: string; message?: string; retryAfterMs?: number } | undefined, t: TFunction): string {
  if (!failure) return t('errors.unknown');
  if (failure.code === 'TOO_LARGE' && failure.message === UPLOAD_QUOTA_REASON) return t('errors.uploadQuota');
  if (isNotContacts(failure)) return t('contacts.notContacts');
  return errorText({ name: 'ApiError', message: '', ...failure }, t);
}

/** A private message the server refused because the two are not contacts (main keeps the protocol's reason). */
export function isNotContacts(failure: { code: string; message?: string } | undefined): boolean {
  return failure?.code === 'FORBIDDEN' && failure.message === NOT_CONTACTS_REASON;
}
