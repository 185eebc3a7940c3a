// The emulator's state (pools, clients, users, groups, refresh tokens, sent messages) and its persistence.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { PasswordPolicy } from './password.ts';

/** Logger the emulator reports to (pino-compatible subset). */
export interface EmulatorLogger {
  info(msg: string, data?: object): void;
  warn(msg: string, data?: object): void;
}

/** A message the emulator "sent" (email or SMS), readable at `/_local/messages`. */
export interface SentMessage {
  to: string;
  username: string;
  kind:
    | 'SIGN_UP'
    | 'FORGOT_PASSWORD'
    | 'SMS_MFA'
    | 'EMAIL_OTP'
    | 'SMS_OTP'
    | 'VERIFY_EMAIL'
    | 'VERIFY_PHONE_NUMBER';
  code: string;
  sentAt: string;
}

/** Cognito's `{ Name, Value }` attribute pair. */
export interface Attribute {
  Name: string;
  Value: string;
}

export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD' | 'RESET_REQUIRED';

/** A pending verification code of one kind. */
export interface PendingCode {
  kind: SentMessage['kind'];
  code: string;
  expiresAt: number;
  /** Wrong answers given for this code (absent in older state files: 0). */
  failedAttempts?: number | undefined;
}

/** A code the user asked for through a rate-limited public call, kept for the hourly limits. */
export interface CodeRequest {
  purpose: 'RESEND_CONFIRMATION' | 'FORGOT_PASSWORD' | 'VERIFY_ATTRIBUTE';
  at: number;
}

export interface MfaPreferences {
  smsEnabled: boolean;
  smsPreferred: boolean;
  totpEnabled: boolean;
  totpPreferred: boolean;
  emailEnabled: boolean;
  emailPreferred: boolean;
}

export interface UserRecord {
  /** Cognito's internal username (a UUID equal to `sub` when email is the username attribute). */
  username: string;
  sub: string;
  attributes: Attribute[];
  status: UserStatus;
  enabled: boolean;
  createdAt: number;
  modifiedAt: number;
  passwordHash?: string | undefined;
  /** When a temporary password stops working (FORCE_CHANGE_PASSWORD). */
  tempPasswordExpiresAt?: number | undefined;
  failedAttempts: number;
  lockedUntil: number;
  mfa: MfaPreferences;
  /** The verified software token's secret (base32); absent until VerifySoftwareToken accepts a code. */
  totpSecret?: string | undefined;
  /** The secret AssociateSoftwareToken handed out last, until VerifySoftwareToken accepts a code of it. */
  pendingTotpSecret?: string | undefined;
  /** The last TOTP step accepted for `totpSecret`: its code (and older ones) are refused from then on. */
  totpLastStep?: number | undefined;
  codes: PendingCode[];
  /**
   * The SRP salt and password verifier (hex) over the internal username, kept beside the hash whenever the
   * password is set; absent for passwords set before the emulator spoke SRP (USER_SRP_AUTH refuses those).
   */
  srp?: { salt: string; verifier: string } | undefined;
  /** The devices this user signed in from, while the pool tracks devices (absent: none). */
  devices?: DeviceRecord[] | undefined;
  /** Recent ResendConfirmationCode / ForgotPassword sends (absent in older state files). */
  codeRequests?: CodeRequest[] | undefined;
  groups: string[];
  /** The user's passkeys, in registration order (absent: none). */
  webAuthnCredentials?: WebAuthnCredentialRecord[] | undefined;
  /** The challenge StartWebAuthnRegistration handed out last, until CompleteWebAuthnRegistration uses it. */
  webAuthnRegistration?: PendingWebAuthnRegistration | undefined;
}

/** A passkey registered through CompleteWebAuthnRegistration. */
export interface WebAuthnCredentialRecord {
  /** The credential id, base64url. */
  credentialId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The authenticator's signature counter, as last seen. */
  counter: number;
  transports: string[];
  friendlyName: string;
  relyingPartyId: string;
  createdAt: number;
  /** 'platform' or 'cross-platform', when the browser said. */
  authenticatorAttachment?: string | undefined;
}

/** A registration challenge: single use, expiring, bound to the app client whose access token asked for it. */
export interface PendingWebAuthnRegistration {
  challenge: string;
  clientId: string;
  relyingPartyId: string;
  expiresAt: number;
}

/** A device Cognito handed out in NewDeviceMetadata: unconfirmed until ConfirmDevice gives its verifier. */
export interface DeviceRecord {
  key: string;
  groupKey: string;
  /** ConfirmDevice's DeviceSecretVerifierConfig, as hex (absent until confirmed). */
  salt?: string | undefined;
  verifier?: string | undefined;
  name?: string | undefined;
  status: 'remembered' | 'not_remembered';
  createdAt: number;
  modifiedAt: number;
  lastAuthenticatedAt: number;
  /** The address the sign-in came from, as Cognito's `last_ip_used`. */
  lastIp?: string | undefined;
}

export interface GroupRecord {
  name: string;
  description?: string | undefined;
  roleArn?: string | undefined;
  precedence?: number | undefined;
  createdAt: number;
  modifiedAt: number;
}

export interface ClientRecord {
  clientId: string;
  clientName: string;
  clientSecret?: string | undefined;
  createdAt: number;
  modifiedAt: number;
  explicitAuthFlows: string[];
  preventUserExistenceErrors: 'ENABLED' | 'LEGACY';
  enableTokenRevocation: boolean;
  accessTokenValidity?: number | undefined;
  idTokenValidity?: number | undefined;
  refreshTokenValidity?: number | undefined;
  tokenValidityUnits?: { AccessToken?: string; IdToken?: string; RefreshToken?: string } | undefined;
  authSessionValidity: number;
  /** Every other member given at creation or update, echoed back by DescribeUserPoolClient. */
  extra: Record<string, unknown>;
}

/** A pool's passkey settings, as SetUserPoolMfaConfig takes them. */
export interface WebAuthnConfiguration {
  RelyingPartyId?: string | undefined;
  UserVerification?: 'required' | 'preferred' | undefined;
  FactorConfiguration?: 'SINGLE_FACTOR' | 'MULTI_FACTOR_WITH_USER_VERIFICATION' | undefined;
}

export interface PoolRecord {
  id: string;
  name: string;
  region: string;
  createdAt: number;
  modifiedAt: number;
  usernameAttributes: string[];
  aliasAttributes: string[];
  autoVerifiedAttributes: string[];
  /**
   * UsernameConfiguration.CaseSensitive: true (Cognito's default when CreateUserPool omits it) matches
   * usernames and the email alias exactly; false matches them in any capitalization. Fixed at creation.
   */
  caseSensitive: boolean;
  passwordPolicy: PasswordPolicy;
  mfaConfiguration: 'OFF' | 'ON' | 'OPTIONAL';
  softwareTokenMfaEnabled: boolean;
  smsMfaConfiguration?: Record<string, unknown> | undefined;
  emailMfaConfiguration?: Record<string, unknown> | undefined;
  /** SetUserPoolMfaConfig's WebAuthnConfiguration (absent: never set). */
  webAuthnConfiguration?: WebAuthnConfiguration | undefined;
  /** Policies.SignInPolicy of CreateUserPool / UpdateUserPool (absent: Cognito's default, PASSWORD only). */
  signInPolicy?: { AllowedFirstAuthFactors: string[] } | undefined;
  /** Every other member given at creation or update, echoed back by DescribeUserPool. */
  extra: Record<string, unknown>;
  clients: Map<string, ClientRecord>;
  /** Keyed by `userKey(pool, internal username)`. */
  users: Map<string, UserRecord>;
  groups: Map<string, GroupRecord>;
}

/**
 * The one way a name typed for this pool (username or email alias) becomes a comparable key, and the key of
 * `pool.users`: as given in case-sensitive pools, lower-cased in case-insensitive ones.
 */
export const userKey = (pool: Pick<PoolRecord, 'caseSensitive'>, name: string): string =>
  pool.caseSensitive ? name : name.toLowerCase();

/** One sign-in's refresh token, keyed by its `origin_jti`; the token itself is kept only as a hash. */
export interface RefreshRecord {
  originJti: string;
  tokenHash: string;
  poolId: string;
  clientId: string;
  username: string;
  authTime: number;
  eventId: string;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
  /** OAuth scopes granted through the hosted UI (space-separated); absent for JSON API sign-ins. */
  scope?: string | undefined;
  /** The device the sign-in was made from (device tracking): refreshing needs its DEVICE_KEY. */
  deviceKey?: string | undefined;
}

/** The pool, client and demo user that local mode seeds once. */
export interface LocalSeed {
  userPoolId: string;
  clientId: string;
  demoEmail: string;
  demoPassword: string;
}

export interface State {
  pools: Map<string, PoolRecord>;
  refreshTokens: Map<string, RefreshRecord>;
  /** tokenHash -> originJti (not persisted; rebuilt on load). */
  refreshIndex: Map<string, string>;
  messages: SentMessage[];
  local?: LocalSeed | undefined;
}

export const emptyState = (): State => ({
  pools: new Map(),
  refreshTokens: new Map(),
  refreshIndex: new Map(),
  messages: [],
});

const MAX_MESSAGES = 1000;

type SerializedPool = Omit<PoolRecord, 'clients' | 'users' | 'groups' | 'caseSensitive'> & {
  /** Absent in state files written before it was stored: see `loadedCaseSensitive`. */
  caseSensitive?: boolean;
  clients: ClientRecord[];
  users: UserRecord[];
  groups: GroupRecord[];
};

interface SerializedState {
  version: 1;
  pools: SerializedPool[];
  refreshTokens: RefreshRecord[];
  messages: SentMessage[];
  local?: LocalSeed | undefined;
}

function serialize(state: State, now: number): SerializedState {
  return {
    version: 1,
    pools: [...state.pools.values()].map((pool) => ({
      ...pool,
      clients: [...pool.clients.values()],
      users: [...pool.users.values()],
      groups: [...pool.groups.values()],
    })),
    // Expired refresh tokens can no longer matter: drop them.
    refreshTokens: [...state.refreshTokens.values()].filter((r) => r.expiresAt > now),
    messages: state.messages.slice(-MAX_MESSAGES),
    local: state.local,
  };
}

/**
 * A pool's case sensitivity as loaded. Older state files lack `caseSensitive` but kept the
 * UsernameConfiguration given at creation in `extra` (the seeded pool's is CaseSensitive false, and it
 * stays case-insensitive even without it); any other pool gets Cognito's default, case-sensitive.
 */
function loadedCaseSensitive(pool: SerializedPool, local: LocalSeed | undefined): boolean {
  if (typeof pool.caseSensitive === 'boolean') return pool.caseSensitive;
  const legacy = (pool.extra.UsernameConfiguration as { CaseSensitive?: unknown } | undefined)?.CaseSensitive;
  if (typeof legacy === 'boolean') return legacy;
  return pool.id !== local?.userPoolId;
}

function deserialize(data: SerializedState): State {
  const pools = new Map<string, PoolRecord>();
  for (const serialized of data.pools) {
    const extra = { ...serialized.extra };
    delete extra.UsernameConfiguration; // now a typed field (older files kept it here)
    const pool: PoolRecord = {
      ...serialized,
      caseSensitive: loadedCaseSensitive(serialized, data.local),
      extra,
      clients: new Map(serialized.clients.map((c) => [c.clientId, c])),
      users: new Map(),
      groups: new Map(serialized.groups.map((g) => [g.name, g])),
    };
    for (const user of serialized.users) pool.users.set(userKey(pool, user.username), user);
    pools.set(pool.id, pool);
  }
  return {
    pools,
    refreshTokens: new Map(data.refreshTokens.map((r) => [r.originJti, r])),
    refreshIndex: new Map(data.refreshTokens.map((r) => [r.tokenHash, r.originJti])),
    messages: data.messages,
    local: data.local,
  };
}

/**
 * How long after a change the state is written: every change in that time goes in one write. Each write serialises
 * the whole state, refresh tokens included (one per sign-in, kept for their 30 days), so writing after every
 * sign-in made each one cost more than the last, and the large JSON texts forced the process into a full garbage
 * collection every twenty sign-ins or so (10 ms pauses in the middle of other requests). `close()` writes what is
 * pending, so a stopped emulator loses nothing; a killed one, at most this long of changes.
 */
export const STATE_WRITE_DELAY_MS = 1000;

/** Holds the state and writes it to `dataDir/state.json` (atomically, one write at a time, debounced). */
export class StateStore {
  readonly state: State;
  private readonly file: string | undefined;
  private readonly clock: () => number;
  private readonly logger: EmulatorLogger | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  private constructor(state: State, file: string | undefined, clock: () => number, logger?: EmulatorLogger) {
    this.state = state;
    this.file = file;
    this.clock = clock;
    this.logger = logger;
  }

  /** Loads `dataDir/state.json` when present (creating `dataDir`); memory only without a `dataDir`. */
  static async open(dataDir: string | undefined, clock: () => number, logger?: EmulatorLogger) {
    if (dataDir === undefined) return new StateStore(emptyState(), undefined, clock, logger);
    await mkdir(dataDir, { recursive: true });
    const file = join(dataDir, 'state.json');
    let state = emptyState();
    try {
      state = deserialize(JSON.parse(await readFile(file, 'utf8')) as SerializedState);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        logger?.warn('local-cognito: state.json unreadable, starting empty', { error: String(err) });
      }
    }
    return new StateStore(state, file, clock, logger);
  }

  /** Marks the state changed; it is written shortly after (no-op in memory-only mode). */
  changed(): void {
    if (!this.file) return;
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, STATE_WRITE_DELAY_MS);
    this.timer.unref();
  }

  /** Writes pending changes now and resolves when they are on disk. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const file = this.file;
    if (!file || !this.dirty) return this.writing;
    this.dirty = false;
    const text = JSON.stringify(serialize(this.state, this.clock()));
    this.writing = this.writing.then(async () => {
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, text, { mode: 0o600 });
        await rename(tmp, file);
      } catch (err) {
        this.logger?.warn('local-cognito: could not write state.json', { error: String(err) });
      }
    });
    return this.writing;
  }
}
