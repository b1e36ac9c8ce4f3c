/**
 * Who may read `GET /metrics` (docs/protocol.md part 2, "Metrics access"): with a token, whoever presents it; on a
 * separate address, whoever reaches that address; otherwise only this computer (a loopback peer that is not a
 * reverse proxy forwarding someone else's request).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { ProtocolError } from '../../../protocol/index.js';

/** Headers a reverse proxy adds: a request carrying one comes from someone other than its loopback peer. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

const IPV6_LOOPBACK = new net.BlockList();
IPV6_LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8 and ::1, also written as IPv4-mapped IPv6 (`::ffff:127.0.0.1`, as a dual-stack socket reports it). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.toLowerCase().startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  if (net.isIPv4(v4)) return v4.startsWith('127.');
  return net.isIPv6(address) && IPV6_LOOPBACK.check(address, 'ipv6');
}

/** `Authorization: Bearer <token>` equal to `token`, compared in constant time (digests of equal length). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  if (!m) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(token));
}

export interface MetricsAccessConfig {
  metricsToken: string | undefined;
  metricsAddress: string | undefined;
}

/** Where metrics are served, in words for the start log. */
export function metricsPolicy(config: MetricsAccessConfig, metricsUrl: string | null): string {
  const where = metricsUrl ? `${metricsUrl}/metrics only` : '/metrics on the main listener';
  if (config.metricsToken) return `${where}, with the bearer token of PARLEY_METRICS_TOKEN`;
  return metricsUrl ? where : `${where}, to this computer only (loopback peers, not through a proxy)`;
}

/**
 * Throws unless the request may read metrics on the listener it came to (`separate`: the metrics address). The main
 * listener serves no metrics when a metrics address is set.
 */
export function checkMetricsAccess(req: IncomingMessage, config: MetricsAccessConfig, separate: boolean): void {
  if (!separate && config.metricsAddress) throw new ProtocolError('NOT_FOUND', 'metrics are served on another address');
  if (config.metricsToken) {
    if (!bearerMatches(req.headers.authorization, config.metricsToken)) {
      throw new ProtocolError('UNAUTHENTICATED', 'metrics need Authorization: Bearer <PARLEY_METRICS_TOKEN>');
    }
    return;
  }
  if (separate) return;
  const forwarded = FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined);
  if (forwarded || !isLoopback(req.socket.remoteAddress)) {
    throw new ProtocolError('FORBIDDEN', 'metrics are served to this computer only; set PARLEY_METRICS_TOKEN or PARLEY_METRICS_ADDRESS');
  }
}
