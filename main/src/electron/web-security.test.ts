import { describe, expect, it } from 'vitest';
import { externalUrl, isTrustedSender, sameOrigin } from './web-security.js';

describe('web security decisions', () => {
  it('compares origins of custom schemes too', () => {
    expect(sameOrigin('parley://app/index.html', 'parley://app')).toBe(true);
    expect(sameOrigin('parley://evil/index.html', 'parley://app')).toBe(false);
    expect(sameOrigin('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
    expect(sameOrigin('http://localhost:5174/x', 'http://localhost:5173')).toBe(false);
    expect(sameOrigin('file:///etc/passwd', 'parley://app')).toBe(false);
    expect(sameOrigin('not a url', 'parley://app')).toBe(false);
  });

  it('trusts only the app’s own top-level frame', () => {
    expect(isTrustedSender({ url: 'parley://app/index.html', isTop: true }, 'parley://app')).toBe(true);
    expect(isTrustedSender({ url: 'parley://app/index.html', isTop: false }, 'parley://app')).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', isTop: true }, 'parley://app')).toBe(false);
    expect(isTrustedSender(null, 'parley://app')).toBe(false);
  });

  it('opens only web and mail links outside', () => {
    expect(externalUrl('https://example.com/a?b')).toBe('https://example.com/a?b');
    expect(externalUrl('mailto:a@example.com')).toBe('mailto:a@example.com');
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'parley://app/', 'ms-msdt:/id', 'garbage']) {
      expect(externalUrl(bad)).toBeNull();
    }
  });
});
