import { describe, expect, it } from 'vitest';
import { NOT_CONTACTS_REASON, REGISTER_REFUSALS, UPLOAD_QUOTA_REASON } from '../../../protocol/pure.js';
import { createI18n } from '../i18n/setup';
import { errorText, failureText } from './errors';

const refusal = (code: string, reason: string) => ({ name: 'ApiError', code, message: 'server words', reason });

describe('errorText', () => {
  it('says why a registration was refused, in the user’s language', () => {
    const en = createI18n('en').t;
    const zh = createI18n('zh-CN').t;
    expect(errorText(refusal('BAD_REQUEST', 'WEAK_PASSWORD'), en)).toMatch(/too easy to guess/);
    expect(errorText(refusal('FORBIDDEN', 'INVITE_REQUIRED'), en)).toMatch(/invite code/);
    expect(errorText(refusal('FORBIDDEN', 'REGISTRATION_CLOSED'), zh)).toMatch(/不开放注册/);
    for (const reason of REGISTER_REFUSALS) {
      for (const t of [en, zh]) {
        const text = errorText(refusal('FORBIDDEN', reason), t);
        expect(text).not.toContain('errors.');
        expect(text).not.toBe(t('errors.FORBIDDEN'));
      }
    }
  });

  it('falls back to the code without a reason', () => {
    const en = createI18n('en').t;
    expect(errorText({ name: 'ApiError', code: 'FORBIDDEN', message: 'x' }, en)).toBe(en('errors.FORBIDDEN'));
  });
});

describe('failureText', () => {
  it('says the storage quota is reached for an attachment refused for it, and "too large" otherwise', () => {
    for (const language of ['en', 'zh-CN'] as const) {
      const { t } = createI18n(language);
      const quota = failureText({ code: 'TOO_LARGE', message: UPLOAD_QUOTA_REASON }, t);
      expect(quota).toBe(t('errors.uploadQuota'));
      expect(quota).not.toBe(t('errors.TOO_LARGE'));
      expect(failureText({ code: 'TOO_LARGE', message: 'files are limited to 1024 bytes' }, t)).toBe(t('errors.TOO_LARGE'));
    }
  });

  it('says a private message needs the two to be contacts when the server refused it for that', () => {
    for (const language of ['en', 'zh-CN'] as const) {
      const { t } = createI18n(language);
      expect(failureText({ code: 'FORBIDDEN', message: NOT_CONTACTS_REASON }, t)).toBe(t('contacts.notContacts'));
      expect(failureText({ code: 'FORBIDDEN', message: 'no' }, t)).toBe(t('errors.FORBIDDEN'));
    }
  });
});
