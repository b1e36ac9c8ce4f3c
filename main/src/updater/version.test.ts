import { describe, expect, it } from 'vitest';
import { compareVersions, formatVersion, parseVersion } from './version.js';

const cmp = (a: string, b: string) => compareVersions(parseVersion(a)!, parseVersion(b)!);

describe('versions', () => {
  it('parses releases and pre-releases, refuses the rest', () => {
    expect(parseVersion('1.2.3')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [] });
    expect(parseVersion('1.5.0-beta.2')?.prerelease).toEqual(['beta', 2]);
    expect(formatVersion(parseVersion('v2.0.0-beta.10+build.7')!)).toBe('2.0.0-beta.10');
    for (const bad of ['', '1.2', '1.2.3.4', '01.2.3', '1.2.3-', 'latest']) expect(parseVersion(bad)).toBeNull();
  });

  it('orders by semver precedence', () => {
    expect(cmp('1.2.3', '1.2.4')).toBeLessThan(0);
    expect(cmp('1.10.0', '1.9.9')).toBeGreaterThan(0);
    expect(cmp('1.3.0-beta.1', '1.3.0')).toBeLessThan(0);
    expect(cmp('1.3.0-beta.2', '1.3.0-beta.10')).toBeLessThan(0);
    expect(cmp('1.3.0-beta', '1.3.0-beta.1')).toBeLessThan(0);
    expect(cmp('1.3.0-alpha.9', '1.3.0-beta.1')).toBeLessThan(0);
    expect(cmp('1.3.0-1', '1.3.0-beta')).toBeLessThan(0);
    expect(cmp('1.3.0+a', '1.3.0+b')).toBe(0);
  });
});
