/**
 * `npm start [-- --port N --data DIR --host --ui-port N --rebuild]`: the local server and the desktop app
 * (or host mode where Electron can't run). See run-launcher.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { launch } from './run-launcher.js';

const USAGE = `Usage: npm start -- [options]
  --port <n>      the local server's port (PARLEY_PORT, default 8080; taken by another program: a free one)
  --data <dir>    the app's data directory (default: the per-user directory; the server's data is in <dir>/server)
  --host          serve the app to a browser (host mode) even where Electron can run (also PARLEY_LAUNCH=host)
  --ui-port <n>   host mode's port (default: a free one)
  --rebuild       rebuild the renderer and the Electron bundles even if they look up to date`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be 0–65535, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      data: { type: 'string' },
      host: { type: 'boolean', default: false },
      'ui-port': { type: 'string' },
      rebuild: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const launched = await launch({
    root: ROOT,
    port: port(values.port ?? process.env.PARLEY_PORT, 8080, '--port'),
    dataDir: values.data,
    forceHost: values.host,
    uiPort: port(values['ui-port'], 0, '--ui-port'),
    rebuild: values.rebuild,
    say,
    log: pino({ level: process.env.PARLEY_LOG_LEVEL ?? 'warn', base: { svc: 'parley-start' } }, pino.destination(2)),
  });

  let stoppingSince = 0;
  const stop = (code: number) => {
    if (stoppingSince > 0) {
      // The same Ctrl+C can arrive twice (from the terminal, and relayed by npm/tsx): only a later one counts.
      if (Date.now() - stoppingSince < 1000) return;
      launched.kill(); // a second Ctrl+C: leave at once
      process.exit(130);
    }
    stoppingSince = Date.now();
    say('stopping…');
    launched.stop().then(
      () => process.exit(code),
      (error: unknown) => {
        console.error(`parley: unclean stop: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(0));
  void launched.ended.then((code) => stop(code));
}

main().catch((error: unknown) => {
  console.error(`parley: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
