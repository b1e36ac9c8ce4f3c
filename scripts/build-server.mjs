#!/usr/bin/env node
// `npm run build:server`: the server as plain JavaScript in dist/server, a package of its own that deploys without
// the desktop app: `cd dist/server && npm ci --omit=dev && node cli.js --port 8080 --data /var/lib/parley`.
// tsc emits server/src and the protocol/ files it imports (NodeNext, so every import is one Node resolves as is);
// deploy/server holds the package's manifest and lockfile (its runtime dependencies only: no React, no Electron).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'server');

fs.rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'server', 'tsconfig.build.json')], {
  stdio: 'inherit',
});
for (const file of ['package.json', 'package-lock.json']) {
  fs.copyFileSync(path.join(root, 'deploy', 'server', file), path.join(out, file));
}
fs.copyFileSync(path.join(root, 'LICENSE'), path.join(out, 'LICENSE'));
const cli = path.join(out, 'cli.js');
fs.writeFileSync(cli, "#!/usr/bin/env node\n// The Parley server's command line (server/src/cli.ts).\nimport './server/src/cli.js';\n");
fs.chmodSync(cli, 0o755);
console.log(`built ${path.relative(root, out)}: node ${path.relative(root, cli)} --port 8080 --data <dir>`);
