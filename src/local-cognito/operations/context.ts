// What every operation gets (state, keys, clock, sessions, logger) and the lookups and input readers they share.
import {
  CognitoError,
  clientNotFound,
  invalidParameter,
  missingMember,
  poolNotFound,
  userNotFound,
} from '../errors.ts';
import type { ChallengeSessions } from '../sessions.ts';
import {
  userKey,
  type Attribute,
  type ClientRecord,
  type EmulatorLogger,
  type PoolRecord,
  type SentMessage,
  type StateStore,
  type UserRecord,
} from '../state.ts';
import type { SigningKeys } from '../tokens.ts';
import { newNumericCode } from '../ids.ts';

export interface OpContext {
  store: StateStore;
  keys: SigningKeys;
  clock: () => number;
  sessions: ChallengeSessions;
  region: string;
  logger?: EmulatorLogger | undefined;
  /** Told of every message "sent", so local mode can print codes where the developer is looking. */
  onMessage?: ((message: SentMessage) => void) | undefined;
}

/** The parsed JSON body of a request. */
export type Input = Record<string, unknown>;

/** An operation: input in, Cognito-shaped output out, CognitoError for failures. */
export type Operation = (ctx: OpContext, input: Input) => Promise<object> | object;

const own = (obj: Input, key: string): unknown => (Object.hasOwn(obj, key) ? obj[key] : undefined);

/** A required string member (missing: AWS's validation message). */
export function reqString(input: Input, member: string): string {
  const value = own(input, member);
  if (value === undefined || value === null) throw missingMember(member);
  if (typeof value !== 'string') throw serialization(member);
  return value;
}

/** An optional string member. */
export function optString(input: Input, member: string): string | undefined {
  const value = own(input, member);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw serialization(member);
  return value;
}

export function optBoolean(input: Input, member: string): boolean | undefined {
  const value = own(input, member);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw serialization(member);
  return value;
}

export function optNumber(input: Input, member: string): number | undefined {
  const value = own(input, member);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw serialization(member);
  return value;
}

export function optStringList(input: Input, member: string): string[] | undefined {
  const value = own(input, member);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw serialization(member);
  return value;
}

/** An optional structure member (a plain JSON object). */
export function optObject(input: Input, member: string): Input | undefined {
  const value = own(input, member);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw serialization(member);
  return value as Input;
}

/**
 * A string-to-string map member (AuthParameters, ChallengeResponses). A null value counts as absent, as the JSON
 * protocol reads it: Amazon's own client sends `DEVICE_KEY: null` when it answers again without a forgotten device.
 */
export function stringMap(input: Input, member: string): Map<string, string> {
  const obj = optObject(input, member) ?? {};
  const map = new Map<string, string>();
  for (const [k, v] of Object.entries(obj)) {
    if (v === null) continue;
    if (typeof v !== 'string') throw serialization(member);
    map.set(k, v);
  }
  return map;
}

/** A required entry of AuthParameters / ChallengeResponses (missing or empty: Cognito's message). */
export function requiredParam(params: Map<string, string>, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '') throw invalidParameter(`Missing required parameter ${name}`);
  return value;
}

/** A list of `{ Name, Value }` (UserAttributes). */
export function attributeList(input: Input, member: string): Attribute[] {
  const value = own(input, member);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw serialization(member);
  return value.map((item: unknown) => {
    const a = item as Input;
    if (typeof a !== 'object' || a === null) throw serialization(member);
    const name = a.Name;
    const val = a.Value ?? '';
    if (typeof name !== 'string' || typeof val !== 'string') throw serialization(member);
    checkAttributeName(name);
    return { Name: name, Value: val };
  });
}

const STANDARD_ATTRIBUTES = new Set([
  'address',
  'birthdate',
  'email',
  'email_verified',
  'family_name',
  'gender',
  'given_name',
  'locale',
  'middle_name',
  'name',
  'nickname',
  'phone_number',
  'phone_number_verified',
  'picture',
  'preferred_username',
  'profile',
  'sub',
  'updated_at',
  'website',
  'zoneinfo',
]);

/** Standard attributes and `custom:` ones only, as a pool's schema allows (and no `__proto__` tricks). */
export function checkAttributeName(name: string): void {
  const custom = /^custom:[\w.-]{1,20}$/.test(name);
  if (!custom && !STANDARD_ATTRIBUTES.has(name)) {
    throw invalidParameter(
      `Attributes did not conform to the schema: ${name.slice(0, 40)}: Attribute does not exist in the schema.\n`,
    );
  }
}

function serialization(member: string): CognitoError {
  return new CognitoError('SerializationException', `Unexpected value type for member ${member}`);
}

export function getPool(ctx: OpContext, poolId: string): PoolRecord {
  const pool = ctx.store.state.pools.get(poolId);
  if (!pool) throw poolNotFound(poolId);
  return pool;
}

/** The client with `clientId` in any pool, with its pool. */
export function getClient(ctx: OpContext, clientId: string): { pool: PoolRecord; client: ClientRecord } {
  for (const pool of ctx.store.state.pools.values()) {
    const client = pool.clients.get(clientId);
    if (client) return { pool, client };
  }
  throw clientNotFound(clientId);
}

export const getAttr = (user: UserRecord, name: string): string | undefined =>
  user.attributes.find((a) => a.Name === name)?.Value;

/** Sets (or with `undefined`, removes) one attribute, keeping the others' order. */
export function setAttr(user: UserRecord, name: string, value: string | undefined): void {
  const idx = user.attributes.findIndex((a) => a.Name === name);
  if (value === undefined) {
    if (idx >= 0) user.attributes.splice(idx, 1);
  } else if (idx >= 0) {
    user.attributes[idx] = { Name: name, Value: value };
  } else {
    user.attributes.push({ Name: name, Value: value });
  }
}

export const usesEmailAsUsername = (pool: PoolRecord): boolean => pool.usernameAttributes.includes('email');

/**
 * Finds a user by internal username, or by email where the pool allows it: as the username attribute,
 * or as a (verified) alias. Names compare through `userKey`, so the pool's case sensitivity decides.
 * The email match scans the pool's users: attributes change in many places (setAttr, confirmation,
 * deletion), and an index that fell behind one of them could resolve a name to the wrong account.
 */
export function findUser(pool: PoolRecord, name: string): UserRecord | undefined {
  const key = userKey(pool, name);
  const direct = pool.users.get(key);
  if (direct) return direct;
  const emailMatches = (u: UserRecord): boolean => {
    const email = getAttr(u, 'email');
    return email !== undefined && userKey(pool, email) === key;
  };
  const byEmail = usesEmailAsUsername(pool)
    ? emailMatches
    : pool.aliasAttributes.includes('email')
      ? (u: UserRecord) => emailMatches(u) && getAttr(u, 'email_verified') === 'true'
      : undefined;
  if (!byEmail || !key.includes('@')) return undefined;
  for (const user of pool.users.values()) if (byEmail(user)) return user;
  return undefined;
}

export function requireUser(pool: PoolRecord, name: string): UserRecord {
  const user = findUser(pool, name);
  if (!user) throw userNotFound();
  return user;
}

/** Cognito's masked destination: `j***@e***.com` for emails (the top-level domain kept), `+*******1234` for phones. */
export function maskDestination(to: string): string {
  const at = to.indexOf('@');
  if (at > 0) {
    const domain = to.slice(at + 1);
    const dot = domain.lastIndexOf('.');
    return `${to.charAt(0)}***@${domain.charAt(0)}***${dot > 0 ? domain.slice(dot) : ''}`;
  }
  return `+${'*'.repeat(Math.max(0, to.length - 5))}${to.slice(-4)}`;
}

/** Epoch seconds (with milliseconds as fraction), as Cognito's timestamps are. */
export const epochSeconds = (ms: number): number => ms / 1000;

/** How long a sign-up (and attribute verification) code works: 24 hours, as Cognito documents. */
export const CODE_VALIDITY_MS = 24 * 60 * 60 * 1000;

/**
 * Creates a new code of `kind` for the user (superseding an older one of that kind, which then no longer
 * matches), records it as sent to the user's email, and returns Cognito's CodeDeliveryDetails.
 */
export function sendEmailCode(
  ctx: OpContext,
  user: UserRecord,
  kind: SentMessage['kind'],
  validityMs = CODE_VALIDITY_MS,
): { Destination: string; DeliveryMedium: 'EMAIL'; AttributeName: 'email' } {
  return sendCodeTo(ctx, user, kind, 'email', validityMs) as {
    Destination: string;
    DeliveryMedium: 'EMAIL';
    AttributeName: 'email';
  };
}

/** As sendEmailCode, to the user's `email` (by email) or `phone_number` (by text message). */
export function sendCodeTo(
  ctx: OpContext,
  user: UserRecord,
  kind: SentMessage['kind'],
  attribute: 'email' | 'phone_number',
  validityMs = CODE_VALIDITY_MS,
): { Destination: string; DeliveryMedium: 'EMAIL' | 'SMS'; AttributeName: string } {
  const to = getAttr(user, attribute) ?? '';
  const code = newNumericCode();
  const now = ctx.clock();
  user.codes = user.codes.filter((c) => c.kind !== kind);
  user.codes.push({ kind, code, expiresAt: now + validityMs, failedAttempts: 0 });
  const message: SentMessage = {
    to,
    username: user.username,
    kind,
    code,
    sentAt: new Date(now).toISOString(),
  };
  ctx.store.state.messages.push(message);
  ctx.logger?.info('local-cognito: message sent', { to, kind });
  ctx.onMessage?.(message);
  return {
    Destination: maskDestination(to),
    DeliveryMedium: attribute === 'email' ? 'EMAIL' : 'SMS',
    AttributeName: attribute,
  };
}
