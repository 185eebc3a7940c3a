// Expectations of the conformance suite: outcomes, the scenario and deviation row types, shared assertions.
import assert from 'node:assert/strict';
import type { AuthenticationResultType } from '@aws-sdk/client-cognito-identity-provider';
import { claimsOf, type Target } from './targets.ts';

// ---- expectations ----

export type Outcome<T> = { ok: true; value: T } | { ok: false; name: string; message: string };

export interface ExpectError {
  /** The exception name, or the names of which any one will do. */
  error: string | readonly string[];
  message?: string | RegExp;
}
export type Expect<T> = ExpectError | { ok: (value: T, target: Target) => void | Promise<void> };

export interface Case<T> {
  name: string;
  run: (target: Target) => Promise<T>;
}
export interface Scenario<T> extends Case<T> {
  expect: Expect<T>;
}
export interface Deviation<T> extends Case<T> {
  /** What Cognito's documentation says, with where. */
  cognitoDocs: string;
  /** Cognito's documented outcome: the emulator must give it. */
  cognito: Expect<T>;
  /** moto 5.2.1's actual outcome, observed by running it. */
  moto: Expect<T>;
}

// Type erasure for the tables: each row keeps its own result type where it is written.
export const scenario = <T>(s: Scenario<T>) => s as unknown as Scenario<unknown>;
export const deviation = <T>(d: Deviation<T>) => d as unknown as Deviation<unknown>;
export const fails = (error: string | readonly string[], message?: string | RegExp): ExpectError => ({
  error,
  message,
});

export async function outcomeOf<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (err) {
    const e = err as Error;
    return { ok: false, name: e.name, message: e.message };
  }
}

export function describeOutcome(o: Outcome<unknown>): string {
  if (!o.ok) return `${o.name}: ${o.message}`;
  const value = typeof o.value === 'object' && o.value !== null ? { ...o.value } : o.value;
  if (typeof value === 'object' && value !== null) delete (value as Record<string, unknown>).$metadata;
  return `success ${JSON.stringify(value)?.slice(0, 300)}`;
}

export async function check<T>(o: Outcome<T>, expect: Expect<T>, target: Target): Promise<void> {
  if ('error' in expect) {
    const names: readonly string[] = typeof expect.error === 'string' ? [expect.error] : expect.error;
    assert.ok(!o.ok, `${target.name}: expected ${names.join(' or ')}, got ${describeOutcome(o)}`);
    assert.ok(
      names.includes(o.name),
      `${target.name}: expected ${names.join(' or ')}, got ${describeOutcome(o)}`,
    );
    if (typeof expect.message === 'string') assert.equal(o.message, expect.message);
    else if (expect.message) assert.match(o.message, expect.message);
    return;
  }
  assert.ok(o.ok, `${target.name}: expected success, got ${describeOutcome(o)}`);
  await expect.ok(o.value, target);
}

/** Whether `o` satisfies `expect` (for the "moto now follows Cognito" hint). */
export async function satisfies<T>(o: Outcome<T>, expect: Expect<T>, target: Target): Promise<boolean> {
  try {
    await check(o, expect, target);
    return true;
  } catch {
    return false;
  }
}

// ---- shared checks ----

export const ISSUER = (t: Target) => `https://cognito-idp.us-east-1.amazonaws.com/${t.poolId}`;

export function assertTokens(r: AuthenticationResultType | undefined, withRefresh: boolean): asserts r {
  assert.ok(r, 'AuthenticationResult');
  assert.equal(typeof r.AccessToken, 'string');
  assert.equal(typeof r.IdToken, 'string');
  assert.equal(r.TokenType, 'Bearer');
  assert.equal(r.ExpiresIn, 3600);
  if (withRefresh) assert.equal(typeof r.RefreshToken, 'string');
  // Cognito returns a new refresh token on REFRESH_TOKEN_AUTH only with refresh-token rotation (off here).
  else assert.equal(r.RefreshToken, undefined);
}

export function assertClaims(
  r: AuthenticationResultType,
  t: Target,
  clientId: string,
  username: string,
  email: string,
) {
  const id = claimsOf(r.IdToken!);
  assert.equal(id.iss, ISSUER(t));
  assert.equal(id.aud, clientId);
  assert.equal(id.token_use, 'id');
  assert.equal(id['cognito:username'], username);
  // Email is the sign-in alias: the internal username is the sub (a UUID), not the address typed.
  assert.equal(id.sub, username);
  assert.equal(id.email, email);
  assert.equal(typeof id.exp, 'number');
  const access = claimsOf(r.AccessToken!);
  assert.equal(access.iss, ISSUER(t));
  assert.equal(access.client_id, clientId);
  assert.equal(access.token_use, 'access');
  assert.equal(access.username, username);
  assert.equal(access.sub, username);
}

export const MISSING_POOL = 'us-east-1_Missing00';
export const UNKNOWN_CLIENT = 'abcdefghijklmnopqrstuvwxyz';
