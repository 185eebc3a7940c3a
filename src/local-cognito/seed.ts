// The pool, app client, group and demo user that local mode runs on, created once and kept in the data dir.
import { generatePassword, DEFAULT_PASSWORD_POLICY } from './password.ts';
import type { OpContext } from './operations/context.ts';
import { createUserPool, createUserPoolClient, setUserPoolMfaConfig } from './operations/pools.ts';
import { adminCreateUser, adminSetUserPassword } from './operations/users.ts';
import { adminAddUserToGroup, createGroup } from './operations/groups.ts';
import {
  seedLocalUsers,
  type LocalUsersSpec,
  type RememberedPasswords,
  type SeededLocalUser,
} from './local-users.ts';
import type { LocalSeed } from './state.ts';

/** What the app needs to talk to the seeded pool. */
export interface LocalPoolInfo {
  userPoolId: string;
  clientId: string;
  clientSecret: string;
  region: string;
  demoUser: { email: string; password: string };
}

const DEMO_EMAIL = 'demo@example.com';

/**
 * Fixed identifiers for the seeded pool and client (LOCAL_COGNITO_POOL_ID, _CLIENT_ID, _CLIENT_SECRET), so that
 * app instances started elsewhere (docker compose) can be configured before the emulator runs. Unset: random.
 */
export interface LocalPoolIds {
  userPoolId?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
}

/**
 * The seeded client's hosted-UI URLs beyond the defaults (`http://localhost:3000/callback`, `.../`), and the
 * users of a local users file to seed into the pool.
 */
export interface LocalPoolOptions {
  /** Added to the client's CallbackURLs (e.g. `${APP_BASE_URL}/callback` on another port). */
  callbackUrls?: string[] | undefined;
  /** Added to the client's LogoutURLs. */
  logoutUrls?: string[] | undefined;
  /**
   * Users and groups to seed (LOCAL_USERS_FILE, as `readLocalUsersFile` returns it): created when missing, updated
   * when present, at every call (see `seedLocalUsers`). A LocalUsersError when the pool refuses them.
   */
  users?: LocalUsersSpec | undefined;
  /** Told what `users` seeded. */
  onUsersSeeded?: ((users: SeededLocalUser[]) => void) | undefined;
}

/**
 * The seed record as stored: the passwords generated for local users file entries ride along in it (state.json
 * keeps `local` as it is), so that every start can print them again, as it does the demo user's.
 */
type LocalSeedWithUsers = LocalSeed & { generatedPasswords?: RememberedPasswords };

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`ensureLocalPool: not an absolute URL: ${url}`);
  }
  if (parsed.hash !== '' || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new Error(`ensureLocalPool: callback and sign-out URLs are http(s) without a fragment: ${url}`);
  }
  return url;
}

/**
 * Applies `options` to the seeded pool: adds its URLs to the seeded client's CallbackURLs / LogoutURLs (exact
 * strings, as Cognito matches them; nothing added twice), saving the state when that changed anything, then seeds
 * its `users` (if any) and tells `onUsersSeeded`.
 */
export async function addLocalClientUrls(
  ctx: OpContext,
  info: LocalPoolInfo,
  options: LocalPoolOptions,
): Promise<void> {
  await addClientUrls(ctx, info, options);
  if (options.users) {
    const local: LocalSeedWithUsers | undefined = ctx.store.state.local;
    const remembered: RememberedPasswords = local ? (local.generatedPasswords ??= {}) : {};
    const seeded = await seedLocalUsers(ctx, info.userPoolId, options.users, remembered, info.demoUser.email);
    options.onUsersSeeded?.(seeded);
  }
}

async function addClientUrls(ctx: OpContext, info: LocalPoolInfo, options: LocalPoolOptions): Promise<void> {
  const client = ctx.store.state.pools.get(info.userPoolId)?.clients.get(info.clientId);
  if (!client) return;
  let changed = false;
  for (const [member, urls] of [
    ['CallbackURLs', options.callbackUrls],
    ['LogoutURLs', options.logoutUrls],
  ] as const) {
    const current = Array.isArray(client.extra[member]) ? (client.extra[member] as string[]) : [];
    const next = [...current];
    for (const url of urls ?? []) if (!next.includes(checkUrl(url))) next.push(url);
    if (next.length !== current.length) {
      client.extra[member] = next;
      changed = true;
    }
  }
  if (!changed) return;
  client.modifiedAt = ctx.clock();
  ctx.store.changed();
  await ctx.store.flush();
}

/** Returns the seeded pool, creating it (and its client, group and demo user) when missing. */
export async function ensureLocalPool(ctx: OpContext, ids: LocalPoolIds = {}): Promise<LocalPoolInfo> {
  const { state } = ctx.store;
  const seed = state.local;
  const pool = seed && state.pools.get(seed.userPoolId);
  const client = seed && pool?.clients.get(seed.clientId);
  const sameIds =
    (ids.userPoolId ?? pool?.id) === pool?.id &&
    (ids.clientId ?? client?.clientId) === client?.clientId &&
    (ids.clientSecret ?? client?.clientSecret) === client?.clientSecret;
  if (seed && pool && client?.clientSecret && sameIds) {
    return {
      userPoolId: pool.id,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      region: pool.region,
      demoUser: { email: seed.demoEmail, password: seed.demoPassword },
    };
  }
  const created = createUserPool(ctx, {
    PoolName: 'local',
    UsernameAttributes: ['email'],
    AutoVerifiedAttributes: ['email'],
    // Every first factor (PASSWORDLESS=email,sms,passkey uses them; the password flows are not affected).
    Policies: {
      PasswordPolicy: DEFAULT_PASSWORD_POLICY,
      SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'] },
    },
    MfaConfiguration: 'OFF',
    AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    UsernameConfiguration: { CaseSensitive: false },
    // Device tracking as most pools with remembered devices set it: remembered when the user says so, and then in
    // place of MFA (AUTH_FLOW=USER_SRP_AUTH uses it; the password flow leaves the devices unconfirmed).
    DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
  }) as { UserPool: { Id: string } };
  const userPoolId = renamePool(ctx, created.UserPool.Id, ids.userPoolId);
  setUserPoolMfaConfig(ctx, {
    UserPoolId: userPoolId,
    MfaConfiguration: 'OPTIONAL',
    SoftwareTokenMfaConfiguration: { Enabled: true },
    SmsMfaConfiguration: {
      SmsAuthenticationMessage: 'Your code is {####}',
      SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::000000000000:role/local-sms', ExternalId: 'local' },
    },
    EmailMfaConfiguration: { Message: 'Your code is {####}', Subject: 'Your sign-in code' },
    // Passkeys for pages on localhost (the relying party a browser accepts there; not 127.0.0.1).
    WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'preferred' },
  });
  const appClient = createUserPoolClient(ctx, {
    UserPoolId: userPoolId,
    ClientName: 'local-app',
    GenerateSecret: true,
    ExplicitAuthFlows: [
      'ALLOW_USER_PASSWORD_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
      'ALLOW_USER_SRP_AUTH',
      'ALLOW_USER_AUTH',
    ],
    PreventUserExistenceErrors: 'ENABLED',
    EnableTokenRevocation: true,
    CallbackURLs: ['http://localhost:3000/callback'],
    LogoutURLs: ['http://localhost:3000/'],
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email', 'profile'],
    AllowedOAuthFlowsUserPoolClient: true,
    SupportedIdentityProviders: ['COGNITO'],
    AccessTokenValidity: 60,
    IdTokenValidity: 60,
    RefreshTokenValidity: 30,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
  }) as { UserPoolClient: { ClientId: string; ClientSecret: string } };
  renameClient(ctx, userPoolId, appClient.UserPoolClient, ids);
  createGroup(ctx, { UserPoolId: userPoolId, GroupName: 'demo', Description: 'Demo users' });
  const demoPassword = generatePassword(DEFAULT_PASSWORD_POLICY);
  await adminCreateUser(ctx, {
    UserPoolId: userPoolId,
    Username: DEMO_EMAIL,
    MessageAction: 'SUPPRESS',
    UserAttributes: [
      { Name: 'email', Value: DEMO_EMAIL },
      { Name: 'email_verified', Value: 'true' },
      { Name: 'name', Value: 'Demo User' },
    ],
  });
  await adminSetUserPassword(ctx, {
    UserPoolId: userPoolId,
    Username: DEMO_EMAIL,
    Password: demoPassword,
    Permanent: true,
  });
  adminAddUserToGroup(ctx, { UserPoolId: userPoolId, Username: DEMO_EMAIL, GroupName: 'demo' });
  state.local = {
    userPoolId,
    clientId: appClient.UserPoolClient.ClientId,
    demoEmail: DEMO_EMAIL,
    demoPassword,
  };
  ctx.store.changed();
  await ctx.store.flush();
  ctx.logger?.info('local-cognito: seeded the local pool', { userPoolId });
  return {
    userPoolId,
    clientId: appClient.UserPoolClient.ClientId,
    clientSecret: appClient.UserPoolClient.ClientSecret,
    region: ctx.region,
    demoUser: { email: DEMO_EMAIL, password: demoPassword },
  };
}

/** Gives the just-created, still empty pool the fixed id, if one was asked for. */
function renamePool(ctx: OpContext, createdId: string, wanted: string | undefined): string {
  if (!wanted || wanted === createdId) return createdId;
  const { pools } = ctx.store.state;
  if (pools.has(wanted))
    throw new Error(`local-cognito: a pool ${wanted} exists already but is not the seeded one`);
  const pool = pools.get(createdId)!;
  pools.delete(createdId);
  pool.id = wanted;
  pools.set(wanted, pool);
  return wanted;
}

/** Gives the just-created client the fixed id and secret, if asked for (updating `created` to match). */
function renameClient(
  ctx: OpContext,
  userPoolId: string,
  created: { ClientId: string; ClientSecret: string },
  ids: LocalPoolIds,
): void {
  const clients = ctx.store.state.pools.get(userPoolId)!.clients;
  const client = clients.get(created.ClientId)!;
  if (ids.clientId && ids.clientId !== created.ClientId) {
    clients.delete(created.ClientId);
    client.clientId = ids.clientId;
    clients.set(ids.clientId, client);
    created.ClientId = ids.clientId;
  }
  if (ids.clientSecret) {
    client.clientSecret = ids.clientSecret;
    created.ClientSecret = ids.clientSecret;
  }
}
