/**
 * Where a plain-http URL stays on this computer: a loopback address (localhost, 127.0.0.0/8 or ::1). The sign-in
 * form asks before a password goes over http anywhere else; a development run fetches an update feed over http
 * only from here. Decided on the parsed URL (WHATWG `URL`, which normalises `127.1`, `0x7f.0.0.1`, `2130706433`
 * and `[::1]`), never on the text.
 */

/** True for `localhost`, 127.0.0.0/8 (also IPv4-mapped) and ::1, as a WHATWG URL spells the hostname. */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  // ::ffff:127.x.y.z, which the parser prints in hex.
  if (/^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host)) return true;
  const octets = host.split('.');
  return octets.length === 4 && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255) && octets[0] === '127';
}

/** What this module reads of a WHATWG URL; the protocol package names no platform's globals. */
interface ParsedUrl {
  protocol: string;
  hostname: string;
}
const WhatwgUrl = (globalThis as unknown as { URL: new (text: string) => ParsedUrl }).URL;

/** The URL, parsed; null when it is not one. */
function parse(text: string): ParsedUrl | null {
  try {
    return new WhatwgUrl(text.trim());
  } catch {
    return null;
  }
}

/** Is `text` an http: URL to a host other than this computer (so a password sent there travels in clear)? */
export function isCleartextRemote(text: string): boolean {
  const url = parse(text);
  return url !== null && url.protocol === 'http:' && !isLoopbackHostname(url.hostname);
}

/** Is `text` an http: URL to this computer? */
export function isLoopbackHttp(text: string): boolean {
  const url = parse(text);
  return url !== null && url.protocol === 'http:' && isLoopbackHostname(url.hostname);
}
