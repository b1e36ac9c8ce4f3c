/** `npm run server -- --port N --data DIR`: prints the ready line to stdout, stops cleanly on SIGTERM/SIGINT. */
import { ConfigError, USAGE, configFromArgs } from './config.js';
import { startServer } from './app.js';

async function main(): Promise<void> {
  let config;
  try {
    config = configFromArgs(process.argv.slice(2), process.env);
  } catch (error) {
    const message = error instanceof ConfigError || error instanceof TypeError ? error.message : String(error);
    console.error(`parley-server: ${message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (config.help) {
    console.log(USAGE);
    return;
  }
  const server = await startServer(config);
  process.stdout.write(`listening on ${server.url}\n`);

  let stoppingSince = 0;
  const stop = (signal: string) => {
    if (stoppingSince > 0) {
      // npm and tsx both pass Ctrl+C on, so one press can arrive twice: only a later press means "leave now".
      if (Date.now() - stoppingSince > 1000) process.exit(130);
      return;
    }
    stoppingSince = Date.now();
    server.log.info({ signal }, 'stopping');
    const deadline = setTimeout(() => process.exit(1), 10_000);
    deadline.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.log.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`parley-server: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
