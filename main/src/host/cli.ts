/**
 * `npm run host -- [--data DIR] [--server URL] [--port N]`: the app in host mode. Prints one line
 * `parley host ready: <url>` (the URL carries the per-launch secret: open it in a browser).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { runHost } from './run-host.js';

function defaultDataDir(): string {
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Parley');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Parley');
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Parley');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      server: { type: 'string' },
      port: { type: 'string' },
      'static-dir': { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got ${values.port}`);
  const dataDir = path.resolve(values.data ?? defaultDataDir());
  fs.mkdirSync(dataDir, { recursive: true });
  const log = pino({ level: values['log-level'] ?? 'info', base: { svc: 'parley-host' } }, pino.destination(2));
  const host = await runHost({ dataDir, serverUrl: values.server, port, staticDir: values['static-dir'], log });
  if (!fs.existsSync(path.join(values['static-dir'] ?? path.resolve('out/renderer'), 'index.html'))) {
    log.warn({}, 'the renderer is not built: run `npm run build:renderer` first');
  }
  process.stdout.write(`parley host ready: ${host.url}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(130);
    stopping = true;
    // Queued messages are already in SQLite; closing only ends the connection cleanly.
    host.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`parley host: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
