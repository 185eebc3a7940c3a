// The gateway's data shapes, and the way between them and Cognito's: answers checked and turned into ours.
import type {
  AuthenticationResultType,
  DeviceType,
  DescribeUserPoolCommandOutput,
  GetUserCommandOutput,
  InitiateAuthCommandOutput,
  RespondToAuthChallengeCommandOutput,
  SetUserMFAPreferenceCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../password-policy.ts';
import { AuthError } from './errors.ts';

/** Tokens as Cognito returned them. `refreshToken` is absent after a refresh (no rotation). */
export interface TokenSet {
  idToken: string;
  accessToken: string;
  refreshToken: string | undefined;
  /** Seconds the access token lives. */
  expiresIn: number;
  /** A pool that tracks devices handed this browser a new device (NewDeviceMetadata), to confirm or ignore. */
  newDevice?: NewDevice | undefined;
}

/** NewDeviceMetadata: a device Cognito made for this sign-in, unconfirmed until ConfirmDevice. */
export interface NewDevice {
  key: string;
  groupKey: string;
}

/** A device of the user's as ListDevices tells it. */
export interface TrackedDevice {
  key: string;
  /** The name ConfirmDevice was given (ours: the browser and system), if any. */
  name: string | undefined;
  remembered: boolean;
  /** ms since the epoch. */
  lastAuthenticatedAt: number | undefined;
  createdAt: number | undefined;
  lastIp: string | undefined;
}

/** A sign-in step's outcome: tokens, or a challenge to answer with `session` within Cognito's deadline. */
export type SignInResult =
  | { kind: 'tokens'; tokens: TokenSet }
  | {
      kind: 'challenge';
      challengeName: string;
      session: string;
      parameters: Record<string, string>;
      /** SELECT_CHALLENGE: the first factors the user may choose from (AvailableChallenges). */
      available?: string[];
    };

/** One of the user's passkeys, as ListWebAuthnCredentials tells it. */
export interface Passkey {
  id: string;
  name: string;
  /** ms since the epoch. */
  createdAt: number | undefined;
  /** `platform` (built into the device) or `cross-platform` (a security key, a phone). */
  attachment: string | undefined;
}

/** The MFA methods Cognito knows, by their challenge names. */
export type MfaMethod = 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA' | 'EMAIL_OTP';

/** A user's attributes and MFA settings as `GetUser` returns them. */
export interface CognitoUser {
  username: string;
  attributes: Record<string, string>;
  /** The MFA methods turned on for the user. */
  mfaEnabled: MfaMethod[];
  mfaPreferred: MfaMethod | undefined;
}

/** One change of `SetUserMFAPreference`: methods left out stay as they are. */
export type MfaPreference = Partial<Record<MfaMethod, { enabled: boolean; preferred: boolean }>>;

/** The outcome of SignUp: Cognito's sign-up `session` lets the user be signed in right after confirming. */
export interface SignUpResult {
  confirmed: boolean;
  session: string | undefined;
}

/** Where Cognito sent a code: the attribute, its masked value (`j***@e***.com`, `+*******1234`), and how. */
export interface CodeDelivery {
  attribute: string;
  destination: string;
  medium: 'EMAIL' | 'SMS';
}

export function toCodeDelivery(d: {
  AttributeName?: string;
  Destination?: string;
  DeliveryMedium?: string;
}): CodeDelivery {
  return {
    attribute: d.AttributeName ?? '',
    destination: d.Destination ?? '',
    medium: d.DeliveryMedium === 'SMS' ? 'SMS' : 'EMAIL',
  };
}

/** A field Cognito must have answered with; UNEXPECTED_RESPONSE (naming `operation`) when it is missing or empty. */
export function present<T>(value: T | undefined, operation: string): T {
  if (!value) throw new AuthError('UNEXPECTED_RESPONSE', operation);
  return value;
}

/** Tokens, or a challenge with its session: the answer of InitiateAuth and RespondToAuthChallenge. */
export function toSignInResult(
  out: InitiateAuthCommandOutput | RespondToAuthChallengeCommandOutput,
): SignInResult {
  if (out.AuthenticationResult) return { kind: 'tokens', tokens: toTokenSet(out.AuthenticationResult) };
  if (out.ChallengeName && out.Session) {
    return {
      kind: 'challenge',
      challengeName: out.ChallengeName,
      session: out.Session,
      parameters: { ...out.ChallengeParameters },
      ...(out.AvailableChallenges ? { available: [...out.AvailableChallenges] } : {}),
    };
  }
  throw new AuthError('UNEXPECTED_RESPONSE', 'InitiateAuth');
}

/** The tokens of an AuthenticationResult; the ID and access tokens must be there. */
export function toTokenSet(result: AuthenticationResultType): TokenSet {
  if (!result.IdToken || !result.AccessToken)
    throw new AuthError('UNEXPECTED_RESPONSE', 'AuthenticationResult');
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken,
    expiresIn: result.ExpiresIn ?? 3600,
    ...(result.NewDeviceMetadata?.DeviceKey && result.NewDeviceMetadata.DeviceGroupKey
      ? {
          newDevice: {
            key: result.NewDeviceMetadata.DeviceKey,
            groupKey: result.NewDeviceMetadata.DeviceGroupKey,
          },
        }
      : {}),
  };
}

/** ListDevices' DeviceType, read into ours (devices without a key are skipped by the caller). */
export function toTrackedDevice(device: DeviceType): TrackedDevice {
  const attribute = (name: string) => device.DeviceAttributes?.find((a) => a.Name === name)?.Value;
  const ms = (date: Date | undefined) => (date ? date.getTime() : undefined);
  return {
    key: device.DeviceKey ?? '',
    name: attribute('device_name'),
    remembered: attribute('device_status') === 'remembered',
    lastAuthenticatedAt: ms(device.DeviceLastAuthenticatedDate),
    createdAt: ms(device.DeviceCreateDate),
    lastIp: attribute('last_ip_used'),
  };
}

/** SetUserMFAPreference's per-method settings; a method the preference leaves out is sent as undefined. */
export function toMfaSettings(
  preference: MfaPreference,
): Omit<SetUserMFAPreferenceCommandInput, 'AccessToken'> {
  const settings = (method: MfaMethod) => {
    const p = preference[method];
    return p ? { Enabled: p.enabled, PreferredMfa: p.preferred } : undefined;
  };
  return {
    SoftwareTokenMfaSettings: settings('SOFTWARE_TOKEN_MFA'),
    SMSMfaSettings: settings('SMS_MFA'),
    EmailMfaSettings: settings('EMAIL_OTP'),
  };
}

/** The pool's password policy; a rule Cognito leaves out follows DEFAULT_PASSWORD_POLICY. */
export function toPasswordPolicy(out: DescribeUserPoolCommandOutput): PasswordPolicy {
  const p = present(out.UserPool?.Policies?.PasswordPolicy, 'DescribeUserPool');
  return {
    // The one default the whole app uses, so the page hint and the check agree.
    minimumLength: p.MinimumLength ?? DEFAULT_PASSWORD_POLICY.minimumLength,
    requireLowercase: p.RequireLowercase ?? DEFAULT_PASSWORD_POLICY.requireLowercase,
    requireUppercase: p.RequireUppercase ?? DEFAULT_PASSWORD_POLICY.requireUppercase,
    requireNumbers: p.RequireNumbers ?? DEFAULT_PASSWORD_POLICY.requireNumbers,
    requireSymbols: p.RequireSymbols ?? DEFAULT_PASSWORD_POLICY.requireSymbols,
  };
}

/** GetUser's answer: attributes as a record, and only the MFA methods the gateway knows. */
export function toCognitoUser(out: GetUserCommandOutput): CognitoUser {
  const attributes: Record<string, string> = {};
  for (const a of out.UserAttributes ?? []) if (a.Name) attributes[a.Name] = a.Value ?? '';
  return {
    username: out.Username ?? '',
    attributes,
    mfaEnabled: (out.UserMFASettingList ?? []).filter(isMfaMethod),
    mfaPreferred: isMfaMethod(out.PreferredMfaSetting) ? out.PreferredMfaSetting : undefined,
  };
}

const MFA_METHODS: readonly string[] = ['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'EMAIL_OTP'];
const isMfaMethod = (value: unknown): value is MfaMethod =>
  typeof value === 'string' && MFA_METHODS.includes(value);
