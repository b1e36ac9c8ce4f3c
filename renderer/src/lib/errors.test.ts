import { describe, expect, it } from 'vitest';
import { UPLOAD_QUOTA_REASON } from '../../../protocol/pure.js';
import { createI18n } from '../i18n/setup';
import { failureText } from './errors';

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
});
