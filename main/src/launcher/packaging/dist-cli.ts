/**
 * `npm run dist [-- electron-builder flags]`: installers for this platform (or those the flags name, e.g.
 * `--linux deb --x64`). Builds the renderer and the bundles afresh, writes the effective configuration to
 * out/electron-builder.json (see packaging-config.ts), then runs electron-builder with it. Publishing is
 * never done here: upload dist/installers/ to the update server (README, "Publishing an update").
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRenderer, bundleElectron } from '../build-steps.js';
import { loadBaseConfig, packagingConfig } from './packaging-config.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

async function main(): Promise<void> {
  const config = packagingConfig(loadBaseConfig(path.join(ROOT, 'electron-builder.yml')), process.env);
  say(config.publish ? `update feed: ${JSON.stringify(config.publish)}` : 'no PARLEY_UPDATE_URL: this build will not update itself');
  say('building the renderer…');
  await buildRenderer(ROOT);
  say('bundling the main process and preload…');
  await bundleElectron(ROOT);
  const configFile = path.join(ROOT, 'out', 'electron-builder.json');
  fs.writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const cli = createRequire(import.meta.url).resolve('electron-builder/cli.js');
  const result = spawnSync(process.execPath, [cli, '--config', configFile, '--publish', 'never', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`parley dist: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
