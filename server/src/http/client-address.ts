/** The address a request came from, as the rate limits count it. */
import { isIPv6 } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** Expands an IPv6 address to its eight groups (`::` filled with zeros). */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right];
}

/**
 * The peer's socket address, with no proxy header trusted (behind a reverse proxy every request counts as the
 * proxy's). An IPv4 address mapped into IPv6 counts as the IPv4 address; any other IPv6 address counts as its /64
 * network, since one host is usually given a whole /64.
 */
export function clientAddress(req: IncomingMessage): string {
  const raw = (req.socket.remoteAddress ?? 'unknown').split('%')[0] ?? 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(raw);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(raw)) return raw;
  return `${ipv6Groups(raw.toLowerCase())
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
