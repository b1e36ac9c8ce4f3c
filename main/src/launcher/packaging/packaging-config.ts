/**
 * The effective electron-builder configuration: electron-builder.yml plus what only the environment of a
 * release build knows. PARLEY_UPDATE_URL (https) becomes the generic update feed (written into the app as
 * app-update.yml; without it the app does not update itself); Apple credentials turn notarization on.
 * Code signing needs nothing here: electron-builder reads CSC_LINK / CSC_KEY_PASSWORD (and WIN_CSC_* ) itself
 * and builds unsigned when they are absent.
 */
import fs from 'node:fs';
import yaml from 'js-yaml';

export type BuilderConfig = Record<string, unknown> & {
  mac?: Record<string, unknown>;
  publish?: unknown;
};

export function loadBaseConfig(file: string): BuilderConfig {
  const doc = yaml.load(fs.readFileSync(file, 'utf8'));
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${file} is not a mapping`);
  return doc as BuilderConfig;
}

/** One of the credential sets @electron/notarize accepts, complete. */
export function hasNotarizeCredentials(env: NodeJS.ProcessEnv): boolean {
  const all = (...names: string[]) => names.every((n) => Boolean(env[n]));
  return (
    all('APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER') ||
    all('APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID') ||
    all('APPLE_KEYCHAIN_PROFILE')
  );
}

export function updateFeedFromEnv(env: NodeJS.ProcessEnv): string | null {
  const raw = env.PARLEY_UPDATE_URL?.trim();
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`PARLEY_UPDATE_URL is not a URL: ${raw}`);
  }
  // The packaged app fetches updates only over https (updater/update-config.ts): an http feed would never be read.
  if (url.protocol !== 'https:') throw new Error('PARLEY_UPDATE_URL must be an https URL');
  return url.toString();
}

export function packagingConfig(base: BuilderConfig, env: NodeJS.ProcessEnv): BuilderConfig {
  const config: BuilderConfig = structuredClone(base);
  const feed = updateFeedFromEnv(env);
  // Never an inferred provider (e.g. GitHub from package.json): a build without a feed has none.
  config.publish = feed ? [{ provider: 'generic', url: feed }] : null;
  config.mac = { ...(config.mac ?? {}), notarize: hasNotarizeCredentials(env) };
  return config;
}
