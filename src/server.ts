// The only file that listens: config -> (local emulator) -> app -> listen -> graceful shutdown.
import type { Server, ServerResponse } from 'node:http';
import { createApp } from './app.ts';
import { AuthError } from './cognito/errors.ts';
import { createCognitoGateway, type CognitoGateway } from './cognito/gateway.ts';
import { createTokenVerifier } from './cognito/verifier.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { startLocalMode, type LocalModeRuntime } from './local-mode.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from './password-policy.ts';
import { MEMORY_LIMITS } from './rate-limit/limiter-backend.ts';
import { closeRedis, createRedisClient } from './redis/redis-client.ts';
import { MemorySessionStore } from './session/memory-store.ts';
import { RedisSessionStore } from './session/redis-store.ts';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n\nSee .env.example for every variable.\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let local: LocalModeRuntime | undefined;
  if (config.mode === 'local') {
    local = await startLocalMode(config, logger);
    config = local.config;
  }
  const settings = config.cognito!;
  const metrics = createMetrics({ processMetrics: true });
  const cognito = createCognitoGateway(settings, metrics.cognitoCall);
  const verifier = createTokenVerifier(settings);
  const passwordPolicy = config.passwordPolicy ?? (await readPasswordPolicy(cognito, logger));
  // With Redis, sessions and rate-limit counters share one connection, and every instance sees the same ones.
  const redis = config.redis ? createRedisClient(config.redis, logger) : undefined;
  const sessionStore = redis
    ? new RedisSessionStore(redis, { keyPrefix: config.redis!.keyPrefix })
    : new MemorySessionStore({ maxEntries: config.session.maxEntries });
  const limiterBackend = redis
    ? { kind: 'redis' as const, client: redis, keyPrefix: config.redis!.keyPrefix }
    : MEMORY_LIMITS;
  const app = createApp(config, {
    cognito,
    metrics,
    verifier,
    passwordPolicy,
    sessionStore,
    limiterBackend,
    logger,
    localInboxUrl: local ? `${local.emulator.endpoint}/_local/inbox` : undefined,
  });
  // Load signing keys now; sign-in still works (keys load on demand) if this fails, and /readyz says so.
  verifier
    .hydrate()
    .catch((err: Error) => logger.warn({ reason: err.message }, 'could not load signing keys yet'));

  const server = app.listen(config.port, () => {
    const url = config.appBaseUrl.origin;
    if (local) {
      process.stdout.write(
        [
          '',
          `  Login server (local mode) listening on ${url}`,
          `  Demo user:   ${local.pool.demoUser.email}`,
          `  Password:    ${local.pool.demoUser.password}`,
          `  Emails/SMS the local Cognito "sends": ${local.emulator.endpoint}/_local/inbox`,
          `  Local Cognito: ${local.emulator.endpoint} (pool ${settings.userPoolId}), data in ${config.localCognito.dir}/`,
          '',
        ].join('\n') + '\n',
      );
    } else {
      logger.info(
        { url, userPoolId: settings.userPoolId, sessionStore: config.session.store },
        'login server listening',
      );
    }
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  installShutdown(
    server,
    async () => {
      await sessionStore.close();
      if (redis) await closeRedis(redis);
      await local?.emulator.close();
    },
    logger,
  );
}

/** The pool's own policy, for the hints and checks of new passwords; Cognito's default when it cannot be read. */
async function readPasswordPolicy(cognito: CognitoGateway, logger: Logger): Promise<PasswordPolicy> {
  try {
    return await cognito.describePasswordPolicy();
  } catch (err) {
    logger.warn(
      { code: err instanceof AuthError ? err.code : 'unknown' },
      "could not read the pool's password policy (DescribeUserPool needs AWS credentials); " +
        "using Cognito's default. Set PASSWORD_* to match your pool.",
    );
    return DEFAULT_PASSWORD_POLICY;
  }
}

/** On SIGTERM/SIGINT: stop accepting, let in-flight requests finish (up to 10 s), then close the rest. */
function installShutdown(
  server: Server,
  closeRest: () => Promise<void>,
  logger: ReturnType<typeof createLogger>,
) {
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
