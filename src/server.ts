// The only file that listens: secrets -> config -> runtime (local emulator, app) -> listen -> graceful shutdown.
import type { Server, ServerResponse } from 'node:http';
import { ConfigError, loadConfig } from './config.ts';
import { resolveSecretSources } from './config/secret-sources.ts';
import { createLogger, humanLogDestination, type Logger } from './logger.ts';
import { createRuntime } from './runtime.ts';

async function main(): Promise<void> {
  // Secrets kept in Secrets Manager or SSM (`*_SECRET_ARN`, `*_PARAMETER`) are read once, here.
  const config = loadConfig(await resolveSecretSources(process.env));
  // Local mode is read by a person at a terminal; anything else by a log pipeline (JSON lines).
  const logger = createLogger(
    config.logLevel,
    config.mode === 'local' ? await humanLogDestination() : undefined,
  );
  const runtime = await createRuntime(config, { logger, processMetrics: true });
  const server = await runtime.listen();
  const url = runtime.config.appBaseUrl.origin;
  const local = runtime.local;
  if (local) {
    process.stdout.write(
      [
        '',
        `  Login server (local mode) listening on ${url}`,
        `  Demo user:   ${local.pool.demoUser.email}`,
        `  Password:    ${local.pool.demoUser.password}`,
        ...local.usersBanner,
        `  Emails/SMS the local Cognito "sends": ${local.emulator.endpoint}/_local/inbox`,
        `  Local Cognito: ${local.emulator.endpoint} (pool ${local.pool.userPoolId}), data in ${config.localCognito.dir}/`,
        '',
      ].join('\n') + '\n',
    );
  } else {
    logger.info(
      { url, userPoolId: runtime.config.cognito?.userPoolId, sessionStore: config.session.store },
      'login server listening',
    );
  }
  const { upstreamUrl, basePath } = runtime.config.protect;
  if (upstreamUrl) {
    logger.info(
      { app: upstreamUrl.origin, signIn: `${url}${basePath}/login` },
      `protecting ${upstreamUrl.origin}: every path outside ${basePath || 'our routes'} goes there after sign-in`,
    );
  }
  installShutdown(server, () => runtime.close(), logger);
}

/** On SIGTERM/SIGINT: stop accepting, let in-flight requests finish (up to 10 s), then close the rest. */
function installShutdown(server: Server, closeRest: () => Promise<void>, logger: Logger) {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => server.closeAllConnections(), 10_000);
    force.unref();
    server.close(() => {
      closeRest()
        .catch((err: Error) => logger.error({ reason: err.message }, 'error while closing'))
        .finally(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  // Requests already on a kept-alive connection are answered, then that connection closes too.
  server.on('request', (_req, res: ServerResponse) => {
    if (stopping) res.setHeader('Connection', 'close');
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Last resort: every request's errors are caught by the error handler; anything that still escapes (a timer,
  // a stray promise) is logged, and the process goes on serving everyone else.
  process.on('unhandledRejection', (reason) =>
    logger.error(
      { reason: reason instanceof Error ? reason.message : String(reason) },
      'unhandled rejection',
    ),
  );
  process.on('uncaughtException', (err) =>
    logger.fatal({ reason: err.message, stack: err.stack }, 'uncaught exception'),
  );
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n\nSee .env.example for every variable.\n`);
    process.exit(1);
  }
  process.stderr.write(`Could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
