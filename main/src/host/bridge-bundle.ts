/**
 * The host bridge as one browser script. A packaged build ships it prebuilt; from source (development, e2e)
 * it is bundled on start with esbuild, which is what tsx and vite already run on.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../../../preload/host-bridge-entry.ts', import.meta.url));

export async function loadHostBridgeScript(options: { prebuiltPath?: string } = {}): Promise<string> {
  if (options.prebuiltPath !== undefined) return readFile(options.prebuiltPath, 'utf8');
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('bundling the host bridge produced nothing');
  return output.text;
}
