/**
 * The update decision: given the running version, the chosen channel and the update files on the update
 * server, is there an update, which version, and from which file? Plain Node (fetch), so it is tested
 * against a real local HTTP server; the Electron layer only downloads and installs what it decides.
 */
import type { UpdateChannel } from '../../../preload/contract.js';
import { parseUpdateInfo, type ParsedUpdateInfo, type UpdateInfo } from './update-info.js';
import { compareVersions, formatVersion, parseVersion, type Version } from './version.js';

/** electron-builder's names of the two feeds: releases (latest*.yml) and pre-releases (beta*.yml). */
export type FeedName = 'latest' | 'beta';

/** The file electron-builder (and electron-updater) use for a feed on a platform: latest-mac.yml, beta-linux-arm64.yml… */
export function feedFileName(feed: FeedName, platform: string, arch: string): string {
  if (platform === 'darwin') return `${feed}-mac.yml`;
  if (platform === 'linux') return `${feed}-linux${arch === 'x64' ? '' : `-${arch}`}.yml`;
  return `${feed}.yml`;
}

/** Stable reads releases only; beta reads pre-releases and releases, whichever is newer. */
export function feedsFor(channel: UpdateChannel): FeedName[] {
  return channel === 'beta' ? ['beta', 'latest'] : ['latest'];
}

/** Whether a version belongs on a channel: stable takes releases, beta also `-beta.N` pre-releases. */
export function acceptsVersion(channel: UpdateChannel, version: Version): boolean {
  if (version.prerelease.length === 0) return true;
  return channel === 'beta' && version.prerelease[0] === 'beta';
}

export type FeedFile = { kind: 'found'; text: string } | { kind: 'missing'; error: string } | { kind: 'unreachable'; error: string };

export type UpdateDecision =
  | { kind: 'update'; version: string; feed: FeedName; info: UpdateInfo }
  | { kind: 'current'; latest?: string }
  | { kind: 'malformed'; error: string }
  | { kind: 'unreachable'; error: string };

/**
 * Decides from the fetched feeds (in the channel's order). Unreachable wins (try again later); otherwise the
 * newest acceptable version above the current one; a malformed file is reported only when nothing usable
 * was found, so a broken beta file does not hold back a release.
 */
export function decideUpdate(
  currentVersion: string,
  channel: UpdateChannel,
  feeds: Array<{ feed: FeedName; file: FeedFile }>,
): UpdateDecision {
  const current = parseVersion(currentVersion);
  if (current === null) return { kind: 'malformed', error: `the running version ${currentVersion} is not a version` };
  const unreachable = feeds.find((f) => f.file.kind === 'unreachable');
  if (unreachable && unreachable.file.kind === 'unreachable') return { kind: 'unreachable', error: unreachable.file.error };
  const releases = feeds.find((f) => f.feed === 'latest');
  if (releases && releases.file.kind === 'missing') return { kind: 'unreachable', error: releases.file.error };

  let best: { version: Version; feed: FeedName; info: UpdateInfo } | null = null;
  let latestSeen: Version | null = null;
  let malformed: string | null = null;
  for (const { feed, file } of feeds) {
    if (file.kind !== 'found') continue;
    const parsed: ParsedUpdateInfo = parseUpdateInfo(file.text);
    if (!parsed.ok) {
      malformed ??= `${feed}: ${parsed.error}`;
      continue;
    }
    const version = parseVersion(parsed.info.version)!;
    if (!acceptsVersion(channel, version)) continue;
    if (latestSeen === null || compareVersions(version, latestSeen) > 0) latestSeen = version;
    if (compareVersions(version, current) <= 0) continue;
    if (best === null || compareVersions(version, best.version) > 0) best = { version, feed, info: parsed.info };
  }
  if (best) return { kind: 'update', version: best.info.version, feed: best.feed, info: best.info };
  if (malformed !== null) return { kind: 'malformed', error: malformed };
  return latestSeen ? { kind: 'current', latest: formatVersion(latestSeen) } : { kind: 'current' };
}

export interface FetchFeedOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** One update file. 404/410: missing (a feed not published); any other failure: unreachable. */
export async function fetchFeedFile(url: string, options: FetchFeedOptions = {}): Promise<FeedFile> {
  const doFetch = options.fetch ?? fetch;
  try {
    const response = await doFetch(url, {
      headers: { 'Cache-Control': 'no-cache', Accept: 'application/x-yaml, text/yaml, text/plain, */*' },
      redirect: 'follow',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      return { kind: 'missing', error: `HTTP ${response.status} for ${url}` };
    }
    if (!response.ok) {
      await response.body?.cancel();
      return { kind: 'unreachable', error: `HTTP ${response.status} for ${url}` };
    }
    return { kind: 'found', text: await response.text() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { kind: 'unreachable', error: `${cause ?? (error as Error).name}: ${(error as Error).message}` };
  }
}

export interface CheckOptions extends FetchFeedOptions {
  /** The update server's base URL (electron-builder's generic provider `url`). */
  feedUrl: string;
  channel: UpdateChannel;
  currentVersion: string;
  platform: string;
  arch: string;
}

export function feedFileUrl(feedUrl: string, fileName: string): string {
  return new URL(fileName, feedUrl.endsWith('/') ? feedUrl : `${feedUrl}/`).toString();
}

/** Fetches the channel's feeds and decides. Never throws. */
export async function checkForUpdate(options: CheckOptions): Promise<UpdateDecision> {
  let urls: Array<{ feed: FeedName; url: string }>;
  try {
    urls = feedsFor(options.channel).map((feed) => ({ feed, url: feedFileUrl(options.feedUrl, feedFileName(feed, options.platform, options.arch)) }));
  } catch {
    return { kind: 'malformed', error: `the update URL ${options.feedUrl} is not a URL` };
  }
  const files = await Promise.all(urls.map(async ({ feed, url }) => ({ feed, file: await fetchFeedFile(url, options) })));
  return decideUpdate(options.currentVersion, options.channel, files);
}
