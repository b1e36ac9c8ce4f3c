/** The address a request came from, as the rate limits count it. */
import { isIP, isIPv6, type BlockList } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** Expands an IPv6 address to its eight groups (`::` filled with zeros). */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right];
}

/** An address as written, without a zone; an IPv4 address mapped into IPv6 as the IPv4 address. */
function plain(address: string): string {
  const bare = address.trim().split('%')[0] ?? '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  return mapped?.[1] ?? bare;
}

/** What the limits count: an IPv4 address as it is, an IPv6 address as its /64 (one host usually has a whole /64). */
function limitKey(address: string): string {
  if (!isIPv6(address)) return address;
  return `${ipv6Groups(address.toLowerCase())
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

function trusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client's address. Without trusted proxies it is the TCP peer, whatever the headers say. When the peer is a
 * trusted proxy, X-Forwarded-For is read from its right end (the entry the nearest proxy added) leftwards, skipping
 * trusted proxies: the first other address is the client. Entries further left were written by the client itself.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: BlockList | null = null): string {
  const peer = plain(req.socket.remoteAddress ?? 'unknown');
  if (!trustedProxies || !trusted(trustedProxies, peer)) return limitKey(peer);
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map(plain).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return limitKey(peer); // a malformed entry: nothing left of it can be believed
    if (!trusted(trustedProxies, hop)) return limitKey(hop);
  }
  return limitKey(peer);
}
