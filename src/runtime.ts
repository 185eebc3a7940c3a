// The one wiring module: from a validated config it builds every dependency and the app, ready to serve and stop.
import { createServer, type Server } from 'node:http';
import type Koa from 'koa';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createApp, fastPathOf, upgradeHandlerOf, type AppDeps } from './app.ts';
import type { CognitoSettings } from './cognito/settings.ts';
import { createIdentityAsserter, type IdentityAsserter } from './identity/assertion.ts';
import { ephemeralAsserter } from './identity/ephemeral-asserter.ts';
import { loadOrCreateLocalKey, loadSigningKeys } from './identity/signing-keys.ts';
import { listenForMetrics } from './flows/health/metrics-routes.ts';
import { AuthError } from './cognito/errors.ts';
import { createCognitoGateway, type CognitoGateway } from './cognito/gateway.ts';
import { createTokenVerifier, type TokenVerifier } from './cognito/verifier.ts';
import type { Config } from './config.ts';
import type { LocalModeOptions, LocalModeRuntime } from './local-mode.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from './password-policy.ts';
import type { LoginThrottle } from './rate-limit/login-throttle.ts';
import type { SessionStore } from './session/memory-store.ts';
import { sealSessionStore } from './session/sealed-store.ts';
import { openStoreBackend } from './store-backend.ts';

/** What an entry point may change about the wiring. `npm start` passes nothing but a logger. */
export interface RuntimeOptions {
  logger?: Logger;
  /** ms since the epoch for the app (and the emulator in local mode); tests move it forward. */
  clock?: () => number;
  /** Local mode only: how the in-process emulator runs (tests keep it in memory and quiet). */
  local?: Omit<LocalModeOptions, 'clock'>;
  /** Process-wide metrics (CPU, memory, event loop) on /metrics; only the server's own process wants them. */
  processMetrics?: boolean;
  /** Parts to use instead of the ones built from the config (tests pass fakes; nothing is built for them). */
  replace?: {
    cognito?: CognitoGateway;
    verifier?: TokenVerifier;
    sessionStore?: SessionStore;
    loginThrottle?: LoginThrottle;
  };
  /** Wraps a built part (the benchmark counts signature checks and measures sessions). */
  wrap?: {
    verifier?: (built: TokenVerifier) => TokenVerifier;
    sessionStore?: (built: SessionStore) => SessionStore;
  };
}

/** Everything built, and the two things an entry point does with it: serve and stop. */
export interface Runtime {
  /** The complete config (in local mode, pointed at the emulator). */
  config: Config;
  app: Koa;
  /** The parts the app was built from. */
  deps: Readonly<Required<Pick<AppDeps, 'cognito' | 'verifier' | 'sessionStore' | 'logger'>>>;
  /** Local mode: the emulator running in this process and its seeded pool. */
  local: LocalModeRuntime | undefined;
  /** Serves the app on `server` (already listening, as tests do) or on a new one listening on PORT. */
  listen(server?: Server): Promise<Server>;
  /** Stops serving and closes the store, Redis or DynamoDB's client, and the emulator. */
  close(): Promise<void>;
}

/** Builds the whole server from `config` (as loadConfig returns it). Fails with AuthError or ConfigError only. */
export async function createRuntime(initial: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger(initial.logLevel);
  // The emulator's modules load only in local mode: a server or Lambda on a real pool never reads them.
  const local =
    initial.mode === 'local'
      ? await (
          await import('./local-mode.ts')
        ).startLocalMode(initial, logger, { ...options.local, clock: options.clock })
      : undefined;
  const config = local?.config ?? initial;
  const settings = config.cognito;
  if (!settings) throw new Error('cloud mode without Cognito settings');
  const metrics = createMetrics({ processMetrics: options.processMetrics ?? false, logger });
  const cognito = options.replace?.cognito ?? createCognitoGateway(settings, metrics.cognitoCall);
  const builtVerifier = options.replace?.verifier ?? createTokenVerifier(settings);
  const verifier = options.wrap?.verifier?.(builtVerifier) ?? builtVerifier;
  const passwordPolicy = config.passwordPolicy ?? (await readPasswordPolicy(cognito, logger));
  const backend = await openStoreBackend(config, logger, options.replace?.sessionStore);
  const builtStore = backend.store;
  // Every store holds session values sealed (AES-256-GCM, keys derived from SESSION_KEYS, rotated with them).
  const sessionStore = sealSessionStore(
    options.wrap?.sessionStore?.(builtStore) ?? builtStore,
    config.session.keys,
  );
  const limiterBackend = backend.limiterBackend;
  const asserter = await buildAsserter(
    config,
    settings,
    local !== undefined && !options.local?.inMemory,
    logger,
  );
  // The rules file's reader (and its YAML parser) loads only when there is a file.
  const rulesFile = config.protect.accessRulesFile
    ? await (
        await import('./access/rules-file.ts')
      ).openAccessRulesFile(config.protect.accessRulesFile, logger)
    : undefined;
  // The proxy (and its HTTP client) loads only when there is an app to protect.
  const upstream = config.protect.upstreamUrl
    ? (await import('./protect/upstream-proxy.ts')).createUpstreamProxy(
        { target: config.protect.upstreamUrl, headersTimeoutMs: config.protect.upstreamTimeoutMs },
        logger,
      )
    : undefined;
  const app = createApp(config, {
    asserter,
    accessRules: rulesFile ? () => rulesFile.current() : undefined,
    upstream,
    cognito,
    metrics,
    verifier,
    passwordPolicy,
    sessionStore,
    limiterBackend,
    logger,
    clock: options.clock,
    loginThrottle: options.replace?.loginThrottle,
    localInboxUrl: local ? `${local.emulator.endpoint}/_local/inbox` : undefined,
  });
  // Load signing keys now; sign-in still works (keys load on demand) if this fails, and /readyz says so.
  verifier
    .hydrate()
    .catch((err: Error) => logger.warn({ reason: err.message }, 'could not load signing keys yet'));

  const servers: Server[] = [];
  let metricsListening = false;
  return {
    config,
    app,
    deps: { cognito, verifier, sessionStore, logger },
    local,
    async listen(server) {
      const target = server ?? createServer();
      target.requestTimeout = 30_000;
      target.headersTimeout = 10_000;
      const handle = app.callback();
      const fast = fastPathOf(app);
      const koa = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
      target.on('request', (req, res) => fast(req, res, koa));
      const upgrade = upgradeHandlerOf(app);
      target.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (upgrade) void upgrade(req, socket, head);
        else socket.destroy();
      });
      servers.push(target);
      if (config.metricsPort !== undefined && !metricsListening) {
        metricsListening = true;
        servers.push(
          await listenForMetrics(metrics.registry, {
            port: config.metricsPort,
            host: config.metricsHost,
            token: config.metricsToken,
          }),
        );
      }
      if (!target.listening) {
        await new Promise<void>((resolve, reject) => {
          target.once('error', reject);
          target.listen(config.port, () => resolve());
        });
      }
      return target;
    },
    async close() {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              if (!server.listening) return resolve();
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
      rulesFile?.close();
      upstream?.close();
      await sessionStore.close();
      await backend.close();
      await local?.emulator.close();
    },
  };
}

/** The pool's own policy, for the hints and checks of new passwords; Cognito's default when it cannot be read. */
async function readPasswordPolicy(cognito: CognitoGateway, logger: Logger): Promise<PasswordPolicy> {
  try {
    return await cognito.describePasswordPolicy();
  } catch (err) {
    logger.warn(
      { error: err instanceof AuthError ? err.code : 'unknown' },
      "could not read the pool's password policy (DescribeUserPool needs AWS credentials); " +
        "using Cognito's default. Set PASSWORD_* to match your pool.",
    );
    return DEFAULT_PASSWORD_POLICY;
  }
}

/**
 * The key that signs `x-amzn-oidc-data`: IDENTITY_SIGNING_KEYS (every instance the same); in local mode one kept in
 * LOCAL_COGNITO_DIR; otherwise a key of this process, which only a single instance can use.
 */
async function buildAsserter(
  config: Config,
  settings: CognitoSettings,
  keepLocalKey: boolean,
  logger: Logger,
): Promise<IdentityAsserter> {
  const assertion = {
    region: settings.region,
    userPoolId: settings.userPoolId,
    clientId: settings.clientId,
    signerArn: config.protect.identitySigner,
  };
  if (config.protect.identitySigningKeys.length > 0) {
    const keys = await loadSigningKeys(
      { privateKeysPem: config.protect.identitySigningKeys },
      'IDENTITY_SIGNING_KEYS',
    );
    return createIdentityAsserter(keys, assertion);
  }
  if (keepLocalKey)
    return createIdentityAsserter(await loadOrCreateLocalKey(config.localCognito.dir), assertion);
  if (config.mode === 'cloud' && (config.protect.upstreamUrl || config.session.store !== 'memory')) {
    logger.warn(
      'IDENTITY_SIGNING_KEYS is not set: x-amzn-oidc-data is signed with a key of this process only; ' +
        'set it when several instances serve the same apps',
    );
  }
  return ephemeralAsserter(assertion);
}
