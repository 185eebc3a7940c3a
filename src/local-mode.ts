// Local mode: starts the Cognito emulator in this process and points the configuration at its seeded pool.
import { randomBytes } from 'node:crypto';
import type { CognitoSettings } from './cognito/settings.ts';
import type { Config } from './config.ts';
import {
  startLocalCognito,
  type LocalCognito,
  type LocalPoolInfo,
  type SentMessage,
} from './local-cognito/index.ts';
import type { Logger } from './logger.ts';
import { paths } from './paths.ts';

/** Cognito settings for the emulator's seeded pool; its origin serves the hosted UI as well. */
export function emulatorSettings(endpoint: string, pool: LocalPoolInfo, timeoutMs = 5000): CognitoSettings {
  return {
    region: pool.region,
    userPoolId: pool.userPoolId,
    clientId: pool.clientId,
    clientSecret: pool.clientSecret,
    endpoint,
    domain: undefined,
    hostedUiUrl: endpoint,
    timeoutMs,
  };
}

export interface LocalModeRuntime {
  config: Config;
  emulator: LocalCognito;
  pool: LocalPoolInfo;
}

/** How tests and the benchmark run local mode; `npm start` uses the defaults. */
export interface LocalModeOptions {
  /** The emulator's clock (tests move it to expire tokens and codes); default Date.now. */
  clock?: () => number;
  /** Keep the pool only in memory instead of LOCAL_COGNITO_DIR (tests: every run starts clean). */
  inMemory?: boolean;
  /** Told of every code the emulator "sends"; default: printed where the developer is looking. */
  onMessage?: (message: SentMessage) => void;
}

/** Starts the emulator on `LOCAL_COGNITO_PORT`, seeds (or loads) its pool, and returns a complete config. */
export async function startLocalMode(
  config: Config,
  logger: Logger,
  options: LocalModeOptions = {},
): Promise<LocalModeRuntime> {
  if (config.production) throw new Error('local mode is refused when NODE_ENV=production');
  const emulator = await startLocalCognito({
    port: config.localCognito.port,
    dataDir: options.inMemory ? undefined : config.localCognito.dir,
    clock: options.clock,
    logger: {
      info: (msg, data) => logger.info(data ?? {}, msg),
      warn: (msg, data) => logger.warn(data ?? {}, msg),
    },
    // Local mode has no real mailbox: show each code where the developer is looking.
    onMessage:
      options.onMessage ?? ((m) => process.stdout.write(`  ✉  ${m.kind} code ${m.code} for ${m.to}\n`)),
  });
  // The emulator serves the hosted UI too: register this server's callback and sign-out URLs with its client.
  const pool = await emulator.ensureLocalPool({
    callbackUrls: [new URL(paths.callback, config.appBaseUrl).href],
    logoutUrls: [new URL(paths.signedOut, config.appBaseUrl).href],
  });
  const full: Config = {
    ...config,
    cognito: emulatorSettings(emulator.endpoint, pool, config.cognitoTimeoutMs),
    session: {
      ...config.session,
      // Memory sessions die with the process anyway, so a fresh key per start is enough here.
      keys: config.session.keys.length > 0 ? config.session.keys : [randomBytes(32).toString('base64url')],
    },
  };
  return { config: Object.freeze(full), emulator, pool };
}
