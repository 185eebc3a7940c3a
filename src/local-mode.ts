// Local mode: starts the Cognito emulator in this process, seeds its pool (and LOCAL_USERS_FILE's users) and points
// the configuration at it.
import { randomBytes } from 'node:crypto';
import type { AuthFlow, CognitoSettings } from './cognito/settings.ts';
import type { Config } from './config.ts';
import {
  startLocalCognito,
  type LocalCognito,
  type LocalPoolInfo,
  type SentMessage,
} from './local-cognito/index.ts';
import {
  LocalUsersError,
  readLocalUsersFile,
  type LocalUsersSpec,
  type SeededLocalUser,
} from './local-cognito/local-users.ts';
import type { Logger } from './logger.ts';
import { paths } from './paths.ts';

/** Cognito settings for the emulator's seeded pool; its origin serves the hosted UI as well. */
export function emulatorSettings(
  endpoint: string,
  pool: LocalPoolInfo,
  timeoutMs = 5000,
  authFlow: AuthFlow = 'USER_PASSWORD_AUTH',
): CognitoSettings {
  return {
    region: pool.region,
    userPoolId: pool.userPoolId,
    clientId: pool.clientId,
    clientSecret: pool.clientSecret,
    endpoint,
    domain: undefined,
    hostedUiUrl: endpoint,
    timeoutMs,
    authFlow,
  };
}

export interface LocalModeRuntime {
  config: Config;
  emulator: LocalCognito;
  pool: LocalPoolInfo;
  /** The users LOCAL_USERS_FILE seeded at this start, in the file's order; empty without the file. */
  users: readonly SeededLocalUser[];
  /** Lines for the start banner listing `users` (and their generated passwords); empty without the file. */
  usersBanner: readonly string[];
}

export type { SeededLocalUser };

/** Reads LOCAL_USERS_FILE; an invalid file stops local mode with every problem named. */
async function readUsersFile(file: string): Promise<LocalUsersSpec> {
  try {
    return await readLocalUsersFile(file);
  } catch (err) {
    throw usersFileError(file, err);
  }
}

function usersFileError(file: string, err: unknown): Error {
  if (!(err instanceof LocalUsersError)) return err instanceof Error ? err : new Error(String(err));
  const [first, ...more] = err.problems;
  const detail = more.length === 0 ? ` ${first}` : `\n${err.problems.map((p) => `  - ${p}`).join('\n')}`;
  return new Error(`LOCAL_USERS_FILE ${file} is not valid:${detail}`);
}

/** The banner lines for the seeded users, aligned, e.g. `    ada@example.com   admins   password from the file`. */
export function localUsersBanner(file: string, users: readonly SeededLocalUser[]): string[] {
  if (users.length === 0) return [`  Local users: none in ${file}`];
  const width = Math.max(...users.map((u) => u.email.length));
  const groupsWidth = Math.max(...users.map((u) => (u.groups.join(', ') || '(no groups)').length));
  return [
    `  Local users from ${file}:`,
    ...users.map((u) => {
      const password =
        u.passwordSource === 'file'
          ? 'password from the file'
          : u.passwordSource === 'generated'
            ? `password ${u.password} (generated)`
            : 'password unchanged';
      const mfa = u.mfa === 'email' || u.mfa === 'sms' ? `, MFA by ${u.mfa}` : '';
      const groups = (u.groups.join(', ') || '(no groups)').padEnd(groupsWidth);
      return `    ${u.email.padEnd(width)}  ${groups}  ${password}${mfa}`;
    }),
  ];
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

/**
 * Starts the emulator on `LOCAL_COGNITO_PORT`, seeds (or loads) its pool, seeds LOCAL_USERS_FILE's users and groups
 * (refusing to start, with every problem named, when the file is invalid), and returns a complete config.
 */
export async function startLocalMode(
  config: Config,
  logger: Logger,
  options: LocalModeOptions = {},
): Promise<LocalModeRuntime> {
  if (config.production) throw new Error('local mode is refused when NODE_ENV=production');
  const usersFile = config.localUsersFile;
  // Checked before anything starts: an invalid file refuses local mode.
  const users = usersFile === undefined ? undefined : await readUsersFile(usersFile);
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
  let seeded: SeededLocalUser[] = [];
  let pool: LocalPoolInfo;
  try {
    pool = await emulator.ensureLocalPool({
      callbackUrls: [new URL(paths.callback, config.appBaseUrl).href],
      logoutUrls: [new URL(paths.signedOut, config.appBaseUrl).href],
      users,
      onUsersSeeded: (done) => {
        seeded = done;
      },
    });
  } catch (err) {
    await emulator.close().catch(() => undefined);
    throw usersFile === undefined ? err : usersFileError(usersFile, err);
  }
  const full: Config = {
    ...config,
    cognito: emulatorSettings(emulator.endpoint, pool, config.cognitoTimeoutMs, config.signIn.authFlow),
    session: {
      ...config.session,
      // Memory sessions die with the process anyway, so a fresh key per start is enough here.
      keys: config.session.keys.length > 0 ? config.session.keys : [randomBytes(32).toString('base64url')],
    },
  };
  return {
    config: Object.freeze(full),
    emulator,
    pool,
    users: seeded,
    usersBanner: usersFile === undefined ? [] : localUsersBanner(usersFile, seeded),
  };
}
