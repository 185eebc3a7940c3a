// The pool's sign-in policy: Policies.SignInPolicy.AllowedFirstAuthFactors of CreateUserPool / UpdateUserPool.
import { invalidParameter } from '../errors.ts';
import type { PoolRecord } from '../state.ts';
import { optObject, type Input } from './context.ts';

/** The first factors Cognito knows (SOFTWARE_TOKEN is not one it accepts as a first factor). */
const FIRST_FACTORS = ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'];

/** The first factors a USER_AUTH sign-in may use in this pool: PASSWORD only when the policy is absent, as Cognito. */
export function allowedFirstFactors(pool: PoolRecord): string[] {
  return pool.signInPolicy ? [...pool.signInPolicy.AllowedFirstAuthFactors] : ['PASSWORD'];
}

/** Whether passkeys are a first factor of this pool (the WebAuthn operations need it). */
export const webAuthnAllowed = (pool: PoolRecord): boolean => allowedFirstFactors(pool).includes('WEB_AUTHN');

/**
 * `Policies.SignInPolicy` of a CreateUserPool / UpdateUserPool request, or undefined when left out (the default).
 * Values outside AuthFactorType fail as AWS's validation does; repeated ones are kept once.
 */
export function signInPolicyOf(input: Input): PoolRecord['signInPolicy'] {
  const policy = optObject(optObject(input, 'Policies') ?? {}, 'SignInPolicy');
  if (policy === undefined) return undefined;
  const factors = policy.AllowedFirstAuthFactors;
  if (factors === undefined || factors === null) return undefined;
  if (!Array.isArray(factors) || !factors.every((f): f is string => typeof f === 'string')) {
    throw invalidParameter('Policies.SignInPolicy.AllowedFirstAuthFactors must be a list of strings.');
  }
  for (const factor of factors) {
    if (!FIRST_FACTORS.includes(factor)) {
      throw invalidParameter(
        `1 validation error detected: Value '[${factors.join(', ').slice(0, 80)}]' at 'policies.signInPolicy.allowedFirstAuthFactors' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${FIRST_FACTORS.join(', ')}]]`,
      );
    }
  }
  return { AllowedFirstAuthFactors: [...new Set(factors)] };
}
