/**
 * Where this copy of the app looks for updates. electron-builder writes the build's `publish` setting into
 * `resources/app-update.yml` (provider generic, url = PARLEY_UPDATE_URL at build time), and a packaged app
 * reads only that: PARLEY_UPDATE_URL at run time is ignored there, so nothing in a user's environment can
 * point the app at another feed. A development run reads PARLEY_UPDATE_URL, for trying a feed.
 * Feeds are https; plain http is accepted only from a development run and only to this computer.
 */
import yaml from 'js-yaml';
import { isLoopbackHttp } from '../../../protocol/index.js';

export type FeedConfig = ({ url: string } | { url: null; reason: string }) & {
  /** Something from the environment that was set aside, to be logged (never the value itself). */
  ignored?: string;
};

export function feedUrlFromAppUpdateYml(text: string): string | null {
  try {
    const doc = yaml.load(text, { schema: yaml.CORE_SCHEMA }) as Record<string, unknown> | null;
    if (!doc || doc.provider !== 'generic' || typeof doc.url !== 'string') return null;
    return feedUrl(doc.url, false);
  } catch {
    return null;
  }
}

/** The URL when the app may fetch updates from it: https, or (in development) http to this computer. */
export function feedUrl(text: string, dev: boolean): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol === 'https:' || (dev && isLoopbackHttp(url.href))) return url.toString();
  return null;
}

export function resolveFeedConfig(input: { env: NodeJS.ProcessEnv; packaged: boolean; appUpdateYml: string | null }): FeedConfig {
  const override = input.env.PARLEY_UPDATE_URL?.trim();
  const ignored = override && input.packaged ? { ignored: 'PARLEY_UPDATE_URL is ignored by a packaged app' } : {};
  if (override && !input.packaged) {
    const url = feedUrl(override, true);
    return url ? { url } : { url: null, reason: 'PARLEY_UPDATE_URL must be https (or http to this computer)' };
  }
  if (!input.packaged) return { url: null, reason: 'a development run does not update itself' };
  if (input.appUpdateYml === null) return { url: null, reason: 'this build has no update URL', ...ignored };
  const url = feedUrlFromAppUpdateYml(input.appUpdateYml);
  return url ? { url, ...ignored } : { url: null, reason: 'app-update.yml has no https update URL', ...ignored };
}
