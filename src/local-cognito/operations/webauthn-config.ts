// The pool's passkey settings: SetUserPoolMfaConfig's WebAuthnConfiguration, and what the WebAuthn operations use.
import { invalidParameter } from '../errors.ts';
import type { PoolRecord, WebAuthnConfiguration } from '../state.ts';
import { optObject, optString, type Input } from './context.ts';

/**
 * The relying party id passkeys are made for when the pool names none. Cognito falls back to the pool's domain and
 * refuses (WebAuthnConfigurationMissingException) without one; the emulator has no domain of its own and serves
 * developers on localhost, so it falls back to 'localhost'.
 */
export const DEFAULT_RELYING_PARTY_ID = 'localhost';

/** The relying party id passkeys of this pool are made for and checked against. */
export const relyingPartyId = (pool: PoolRecord): string =>
  pool.webAuthnConfiguration?.RelyingPartyId ?? DEFAULT_RELYING_PARTY_ID;

/** Whether the pool requires user verification of passkeys ('preferred' is Cognito's default). */
export const userVerification = (pool: PoolRecord): 'required' | 'preferred' =>
  pool.webAuthnConfiguration?.UserVerification ?? 'preferred';

function enumValue<T extends string>(
  config: Input,
  member: string,
  field: string,
  values: readonly T[],
): T | undefined {
  const value = optString(config, member);
  if (value === undefined || (values as readonly string[]).includes(value)) return value as T | undefined;
  throw invalidParameter(
    `1 validation error detected: Value '${value.slice(0, 60)}' at 'webAuthnConfiguration.${field}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`,
  );
}

/** SetUserPoolMfaConfig's WebAuthnConfiguration, validated (undefined: left out, the pool's stays). */
export function webAuthnConfigurationOf(input: Input): WebAuthnConfiguration | undefined {
  const config = optObject(input, 'WebAuthnConfiguration');
  if (config === undefined) return undefined;
  const id = optString(config, 'RelyingPartyId');
  if (id !== undefined && (id.length < 1 || id.length > 127 || !/^[\w.:-]+$/.test(id))) {
    throw invalidParameter(
      `1 validation error detected: Value '${id.slice(0, 60)}' at 'webAuthnConfiguration.relyingPartyId' failed to satisfy constraint: Member must have length between 1 and 127 and be a host name`,
    );
  }
  return {
    RelyingPartyId: id?.toLowerCase(),
    UserVerification: enumValue(config, 'UserVerification', 'userVerification', ['required', 'preferred']),
    FactorConfiguration: enumValue(config, 'FactorConfiguration', 'factorConfiguration', [
      'SINGLE_FACTOR',
      'MULTI_FACTOR_WITH_USER_VERIFICATION',
    ]),
  };
}

/** Cognito's WebAuthnConfigurationType for GetUserPoolMfaConfig / SetUserPoolMfaConfig responses. */
export function webAuthnConfigurationType(pool: PoolRecord): object {
  const config = pool.webAuthnConfiguration;
  return {
    ...(config?.RelyingPartyId !== undefined ? { RelyingPartyId: config.RelyingPartyId } : {}),
    UserVerification: userVerification(pool),
    ...(config?.FactorConfiguration !== undefined ? { FactorConfiguration: config.FactorConfiguration } : {}),
  };
}
