import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseTrustedProxies } from '../config.js';
import { clientAddress } from './client-address.js';

const req = (remoteAddress: string, forwardedFor?: string | string[]) =>
  ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  it('is the TCP peer, an IPv4-mapped address as IPv4 and IPv6 by its /64, and ignores X-Forwarded-For by default', () => {
    expect(clientAddress(req('203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9');
    expect(clientAddress(req('::ffff:203.0.113.9'))).toBe('203.0.113.9');
    expect(clientAddress(req('2001:db8:0:1:aaaa::1'))).toBe('2001:db8:0:1::/64');
    expect(clientAddress(req('2001:db8:0:1:bbbb::2'))).toBe('2001:db8:0:1::/64');
    expect(clientAddress(req('::1'))).toBe('0:0:0:0::/64');
  });

  it('behind a trusted proxy is the rightmost untrusted X-Forwarded-For entry', () => {
    const proxies = parseTrustedProxies('127.0.0.1, 10.0.0.0/8');
    expect(clientAddress(req('127.0.0.1', '198.51.100.7'), proxies)).toBe('198.51.100.7');
    // The client wrote the leftmost entry itself; the proxies appended the rest.
    expect(clientAddress(req('127.0.0.1', 'forged, 198.51.100.7, 10.1.2.3'), proxies)).toBe('198.51.100.7');
    expect(clientAddress(req('127.0.0.1', ['1.1.1.1', '198.51.100.8']), proxies)).toBe('198.51.100.8');
    expect(clientAddress(req('127.0.0.1'), proxies)).toBe('127.0.0.1');
    expect(clientAddress(req('127.0.0.1', 'not-an-address'), proxies)).toBe('127.0.0.1');
    // A peer that is not a trusted proxy cannot choose its address.
    expect(clientAddress(req('198.51.100.99', '198.51.100.7'), proxies)).toBe('198.51.100.99');
  });
});
