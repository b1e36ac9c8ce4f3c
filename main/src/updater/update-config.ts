/**
 * Where this copy of the app looks for updates. electron-builder writes the build's `publish` setting into
 * `resources/app-update.yml` (provider generic, url = PARLEY_UPDATE_URL at build time); PARLEY_UPDATE_URL at
 * run time overrides it, for trying a feed with a development build.
 */
import yaml from 'js-yaml';

export type FeedConfig = { url: string } | { url: null; reason: string };

export function feedUrlFromAppUpdateYml(text: string): string | null {
  try {
    const doc = yaml.load(text, { schema: yaml.CORE_SCHEMA }) as Record<string, unknown> | null;
    if (!doc || doc.provider !== 'generic' || typeof doc.url !== 'string') return null;
    return httpUrl(doc.url);
  } catch {
    return null;
  }
}

function httpUrl(text: string): string | null {
  try {
    const url = new URL(text.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}

export function resolveFeedConfig(input: { env: NodeJS.ProcessEnv; packaged: boolean; appUpdateYml: string | null }): FeedConfig {
  const override = input.env.PARLEY_UPDATE_URL?.trim();
  if (override) {
    const url = httpUrl(override);
    return url ? { url } : { url: null, reason: `PARLEY_UPDATE_URL is not an http(s) URL` };
  }
  if (!input.packaged) return { url: null, reason: 'a development run does not update itself' };
  if (input.appUpdateYml === null) return { url: null, reason: 'this build has no update URL' };
  const url = feedUrlFromAppUpdateYml(input.appUpdateYml);
  return url ? { url } : { url: null, reason: 'app-update.yml has no generic provider URL' };
}
