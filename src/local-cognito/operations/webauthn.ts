// Passkeys (WebAuthn): StartWebAuthnRegistration, CompleteWebAuthnRegistration, ListWebAuthnCredentials and
// DeleteWebAuthnCredential (the user's access token), and the WEB_AUTHN sign-in challenge's options and answer check.
// Attestations and assertions are verified for real, by @simplewebauthn/server.
import { createHash, randomBytes } from 'node:crypto';
import {
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import {
  decodeAttestationObject,
  isoBase64URL,
  parseAuthenticatorData,
} from '@simplewebauthn/server/helpers';
import { CognitoError, invalidParameter, missingMember, notAuthorized } from '../errors.ts';
import type { PoolRecord, UserRecord, WebAuthnCredentialRecord } from '../state.ts';
import {
  epochSeconds,
  getAttr,
  optNumber,
  optObject,
  optString,
  reqString,
  type Input,
  type OpContext,
} from './context.ts';
import { webAuthnAllowed } from './sign-in-policy.ts';
import { relyingPartyId, userVerification } from './webauthn-config.ts';
import { authenticateAccessToken } from './user-tokens.ts';

/** Passkeys one user may have, as Cognito's quota (LimitExceededException beyond it). */
export const MAX_PASSKEYS = 20;
/** How long a registration challenge (and the browser's ceremony) lasts. */
const REGISTRATION_TTL_MS = 5 * 60_000;
/** The browser's timeout for a sign-in ceremony: the 3 minutes a challenge session lives by default. */
const SIGN_IN_TIMEOUT_MS = 3 * 60_000;
/** ES256 and RS256: what passkey providers make, offered in this order. */
const ALGORITHMS = [-7, -257];
const USER_ADMIN_SCOPE = 'aws.cognito.signin.user.admin';

/**
 * Names of well-known passkey providers by AAGUID (from the community AAGUID list), for FriendlyCredentialName;
 * any other authenticator, and those that send a zero AAGUID (most security keys with 'none' attestation), get
 * the generic name.
 */
const PROVIDERS: Readonly<Record<string, string>> = {
  'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4': 'Google Password Manager',
  'adce0002-35bc-c60a-648b-0b25f1f05503': 'Chrome on Mac',
  'fbfc3007-154e-4ecc-8c0b-6e020557d7bd': 'iCloud Keychain',
  '08987058-cadc-4b81-b6e1-30de50dcbe96': 'Windows Hello',
  '9ddd1817-af5a-4672-a2b9-3e3dd95000a9': 'Windows Hello',
  '6028b017-b1d4-4c02-b4b3-afcdafc96bb2': 'Windows Hello',
  'bada5566-a7aa-401f-bd96-45619a55120d': '1Password',
  'd548826e-79b4-db40-a3d8-11116f7e8349': 'Bitwarden',
};
const DEFAULT_FRIENDLY_NAME = 'Passkey';

// Cognito's exceptions for these calls (names from the API reference; the messages are the emulator's own wording).
const notEnabled = () =>
  new CognitoError('WebAuthnNotEnabledException', 'Passkey sign-in is not enabled for this user pool.');
const challengeNotFound = () =>
  new CognitoError('WebAuthnChallengeNotFoundException', 'The passkey registration challenge was not found.');
const clientMismatch = () =>
  new CognitoError(
    'WebAuthnClientMismatchException',
    'The access token was issued to another client than the one that started the registration.',
  );
const originNotAllowed = (origin: string) =>
  new CognitoError(
    'WebAuthnOriginNotAllowedException',
    `The origin ${origin.slice(0, 100)} is not allowed for the relying party.`,
  );
const relyingPartyMismatch = () =>
  new CognitoError(
    'WebAuthnRelyingPartyMismatchException',
    "The credential was made for another relying party than the user pool's.",
  );
const notSupported = (reason: string) =>
  new CognitoError(
    'WebAuthnCredentialNotSupportedException',
    `The passkey credential is not supported: ${reason}`,
  );
const limitExceeded = () =>
  new CognitoError('LimitExceededException', `A user can register at most ${MAX_PASSKEYS} passkeys.`);
const credentialNotFound = () => new CognitoError('ResourceNotFoundException', 'Credential not found.');
const malformed = (what: string) => invalidParameter(`Credential is not a valid ${what}.`);

/**
 * The user and pool of the access token, and the app client it was issued to. The token must carry the
 * aws.cognito.signin.user.admin scope, as Cognito requires for these calls (hosted-UI tokens may lack it).
 */
async function signedIn(
  ctx: OpContext,
  input: Input,
): Promise<{ pool: PoolRecord; user: UserRecord; clientId: string }> {
  const token = reqString(input, 'AccessToken');
  const { pool, user } = await authenticateAccessToken(ctx, token);
  // Verified above: reading the payload again is safe.
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    client_id?: unknown;
    scope?: unknown;
  };
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  if (!scopes.includes(USER_ADMIN_SCOPE)) throw notAuthorized('Access Token does not have required scopes');
  return { pool, user, clientId: typeof claims.client_id === 'string' ? claims.client_id : '' };
}

function requireWebAuthn(pool: PoolRecord): void {
  if (!webAuthnAllowed(pool)) throw notEnabled();
}

const passkeysOf = (user: UserRecord): WebAuthnCredentialRecord[] => user.webAuthnCredentials ?? [];

/** The user's WebAuthn user handle: their `sub` (opaque, stable, not personal data), base64url. */
const userHandleOf = (user: UserRecord): string => Buffer.from(user.sub, 'utf8').toString('base64url');

const newChallenge = (): string => randomBytes(32).toString('base64url');

const descriptor = (c: WebAuthnCredentialRecord) => ({
  id: c.credentialId,
  type: 'public-key',
  ...(c.transports.length ? { transports: c.transports } : {}),
});

/**
 * Whether `origin` may have run a ceremony for `rpId`. WebAuthn binds a credential to an RP id that is the
 * origin's host or a registrable suffix of it, so a page on the RP id itself or on any subdomain of it may
 * legitimately use the pool's passkeys (Cognito has no per-pool list of origins). Only https counts, except on
 * loopback names (localhost, *.localhost, 127.0.0.1), where browsers treat http as a secure context and which
 * is how the emulator is used in development. Anything else is refused: other hosts, look-alike suffixes
 * (evil-example.com for example.com), other schemes, and origins that are not in their serialized form.
 */
export function originAllowed(origin: string, rpId: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin !== origin) return false;
  const host = url.hostname;
  if (host !== rpId && !host.endsWith(`.${rpId}`)) return false;
  if (url.protocol === 'https:') return true;
  const loopback = host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1';
  return url.protocol === 'http:' && loopback;
}

/** The `clientDataJSON` of a credential's response, decoded (undefined when it is not base64url JSON). */
function clientDataOf(
  encoded: unknown,
): { type?: unknown; challenge?: unknown; origin?: unknown } | undefined {
  if (typeof encoded !== 'string' || !isoBase64URL.isBase64URL(encoded)) return undefined;
  try {
    const data = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as unknown;
    return typeof data === 'object' && data !== null && !Array.isArray(data) ? data : undefined;
  } catch {
    return undefined;
  }
}

/** The RegistrationResponseJSON members the checks below read, or InvalidParameterException. */
function registrationResponseOf(credential: Input): RegistrationResponseJSON {
  const response = credential.response as Input | undefined;
  if (
    typeof credential.id !== 'string' ||
    typeof credential.rawId !== 'string' ||
    credential.type !== 'public-key' ||
    typeof response !== 'object' ||
    response === null ||
    typeof response.clientDataJSON !== 'string' ||
    typeof response.attestationObject !== 'string'
  ) {
    throw malformed('RegistrationResponseJSON');
  }
  return credential as unknown as RegistrationResponseJSON;
}

/** The creation options the browser's navigator.credentials.create() takes (PublicKeyCredentialCreationOptionsJSON). */
export async function startWebAuthnRegistration(ctx: OpContext, input: Input): Promise<object> {
  const { pool, user, clientId } = await signedIn(ctx, input);
  requireWebAuthn(pool);
  const passkeys = passkeysOf(user);
  if (passkeys.length >= MAX_PASSKEYS) throw limitExceeded();
  const rpId = relyingPartyId(pool);
  const challenge = newChallenge();
  user.webAuthnRegistration = {
    challenge,
    clientId,
    relyingPartyId: rpId,
    expiresAt: ctx.clock() + REGISTRATION_TTL_MS,
  };
  const email = getAttr(user, 'email');
  const name = email ?? getAttr(user, 'preferred_username') ?? user.username;
  return {
    CredentialCreationOptions: {
      rp: { id: rpId, name: pool.name },
      user: { id: userHandleOf(user), name, displayName: getAttr(user, 'name') ?? name },
      challenge,
      pubKeyCredParams: ALGORITHMS.map((alg) => ({ type: 'public-key', alg })),
      timeout: REGISTRATION_TTL_MS,
      excludeCredentials: passkeys.map(descriptor),
      authenticatorSelection: {
        residentKey: 'required',
        requireResidentKey: true,
        userVerification: userVerification(pool),
      },
      attestation: 'none',
    },
  };
}

/**
 * Verifies the browser's RegistrationResponseJSON against the challenge StartWebAuthnRegistration handed out (once
 * only, and only to the same app client) and keeps the passkey.
 */
export async function completeWebAuthnRegistration(ctx: OpContext, input: Input): Promise<object> {
  const { pool, user, clientId } = await signedIn(ctx, input);
  requireWebAuthn(pool);
  const credential = optObject(input, 'Credential');
  if (credential === undefined) throw missingMember('Credential');
  const pending = user.webAuthnRegistration;
  user.webAuthnRegistration = undefined; // single use, whatever the outcome
  if (!pending || pending.expiresAt <= ctx.clock()) throw challengeNotFound();
  if (pending.clientId !== clientId) throw clientMismatch();
  const response = registrationResponseOf(credential);
  const clientData = clientDataOf(response.response.clientDataJSON);
  if (!clientData || typeof clientData.origin !== 'string') throw malformed('RegistrationResponseJSON');
  if (clientData.type !== 'webauthn.create') throw malformed('registration response');
  if (clientData.challenge !== pending.challenge) throw challengeNotFound();
  if (!originAllowed(clientData.origin, pending.relyingPartyId)) throw originNotAllowed(clientData.origin);
  let rpIdHash: Uint8Array;
  try {
    const attestation = decodeAttestationObject(isoBase64URL.toBuffer(response.response.attestationObject));
    rpIdHash = parseAuthenticatorData(attestation.get('authData')).rpIdHash;
  } catch {
    throw malformed('attestation object');
  }
  const expectedHash = createHash('sha256').update(pending.relyingPartyId).digest();
  if (!expectedHash.equals(rpIdHash)) throw relyingPartyMismatch();
  const passkeys = passkeysOf(user);
  if (passkeys.length >= MAX_PASSKEYS) throw limitExceeded();
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: pending.challenge,
      expectedOrigin: clientData.origin,
      expectedRPID: pending.relyingPartyId,
      requireUserVerification: userVerification(pool) === 'required',
      supportedAlgorithmIDs: ALGORITHMS,
    });
  } catch (err) {
    throw notSupported((err as Error).message);
  }
  if (!verified.verified) throw notSupported('the attestation did not verify.');
  const info = verified.registrationInfo;
  const taken = [...pool.users.values()].some((u) =>
    passkeysOf(u).some((c) => c.credentialId === info.credential.id),
  );
  if (taken) throw invalidParameter('This passkey is already registered.');
  const attachment = credential.authenticatorAttachment;
  user.webAuthnCredentials = [
    ...passkeys,
    {
      credentialId: info.credential.id,
      publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
      counter: info.credential.counter,
      transports: response.response.transports?.filter((t) => typeof t === 'string') ?? [],
      friendlyName: PROVIDERS[info.aaguid] ?? DEFAULT_FRIENDLY_NAME,
      relyingPartyId: pending.relyingPartyId,
      createdAt: ctx.clock(),
      authenticatorAttachment:
        attachment === 'platform' || attachment === 'cross-platform' ? attachment : undefined,
    },
  ];
  user.modifiedAt = ctx.clock();
  return {};
}

/** The user's passkeys, oldest first; MaxResults 0-20 (0 or absent: 20), NextToken from the previous page. */
export async function listWebAuthnCredentials(ctx: OpContext, input: Input): Promise<object> {
  const { user } = await signedIn(ctx, input);
  const max = optNumber(input, 'MaxResults') ?? 0;
  if (!Number.isInteger(max) || max < 0 || max > MAX_PASSKEYS) {
    throw invalidParameter(
      `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_PASSKEYS}`,
    );
  }
  const passkeys = passkeysOf(user);
  const token = optString(input, 'NextToken');
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0 || start > passkeys.length)
    throw invalidParameter('Invalid NextToken');
  const end = start + (max || MAX_PASSKEYS);
  return {
    Credentials: passkeys.slice(start, end).map((c) => ({
      CredentialId: c.credentialId,
      FriendlyCredentialName: c.friendlyName,
      RelyingPartyId: c.relyingPartyId,
      ...(c.authenticatorAttachment ? { AuthenticatorAttachment: c.authenticatorAttachment } : {}),
      AuthenticatorTransports: c.transports,
      CreatedAt: epochSeconds(c.createdAt),
    })),
    ...(end < passkeys.length ? { NextToken: Buffer.from(String(end), 'utf8').toString('base64url') } : {}),
  };
}

export async function deleteWebAuthnCredential(ctx: OpContext, input: Input): Promise<object> {
  const { user } = await signedIn(ctx, input);
  const id = reqString(input, 'CredentialId');
  const passkeys = passkeysOf(user);
  if (!passkeys.some((c) => c.credentialId === id)) throw credentialNotFound();
  user.webAuthnCredentials = passkeys.filter((c) => c.credentialId !== id);
  user.modifiedAt = ctx.clock();
  return {};
}

/** Whether the user has registered a passkey (WEB_AUTHN can be offered). */
export function hasPasskeys(user: UserRecord): boolean {
  return passkeysOf(user).length > 0;
}

/**
 * The WEB_AUTHN challenge's parameters: CREDENTIAL_REQUEST_OPTIONS, the JSON text of the request options the
 * browser's navigator.credentials.get() takes (PublicKeyCredentialRequestOptionsJSON), naming the user's passkeys
 * for the pool's relying party; and the challenge, for the session to keep until the CREDENTIAL answer.
 */
export function webAuthnChallenge(
  ctx: OpContext,
  pool: PoolRecord,
  user: UserRecord,
): { parameters: { CREDENTIAL_REQUEST_OPTIONS: string }; challenge: string } {
  const rpId = relyingPartyId(pool);
  const challenge = newChallenge();
  const allowCredentials = passkeysOf(user)
    .filter((c) => c.relyingPartyId === rpId)
    .map(descriptor);
  ctx.logger?.info('local-cognito: passkey challenge', {
    username: user.username,
    passkeys: allowCredentials.length,
  });
  const options = {
    challenge,
    rpId,
    allowCredentials,
    userVerification: userVerification(pool),
    timeout: SIGN_IN_TIMEOUT_MS,
  };
  return { parameters: { CREDENTIAL_REQUEST_OPTIONS: JSON.stringify(options) }, challenge };
}

/**
 * Checks the WEB_AUTHN challenge's CREDENTIAL answer (the browser's AuthenticationResponseJSON as JSON text): one of
 * the user's passkeys for the pool's relying party, signed over `expectedChallenge` on an allowed origin, with user
 * verification when the pool requires it, and a signature counter that moved on (a replayed assertion does not).
 * The counter is kept. Any failure is NotAuthorizedException, as RespondToAuthChallenge documents no WebAuthn
 * exceptions; the reason is logged.
 */
export async function verifyWebAuthnAnswer(
  ctx: OpContext,
  pool: PoolRecord,
  user: UserRecord,
  expectedChallenge: string,
  credentialJson: string,
): Promise<void> {
  const refuse = (reason: string): CognitoError => {
    ctx.logger?.info('local-cognito: passkey answer refused', { username: user.username, reason });
    return notAuthorized('Incorrect username or password.');
  };
  let response: AuthenticationResponseJSON;
  try {
    response = JSON.parse(credentialJson) as AuthenticationResponseJSON;
  } catch {
    throw refuse('CREDENTIAL is not JSON');
  }
  if (typeof response !== 'object' || response === null || typeof response.id !== 'string') {
    throw refuse('CREDENTIAL is not an AuthenticationResponseJSON');
  }
  const rpId = relyingPartyId(pool);
  const record = passkeysOf(user).find((c) => c.credentialId === response.id && c.relyingPartyId === rpId);
  if (!record) throw refuse('not one of the user’s passkeys');
  const clientData = clientDataOf(
    (response.response as { clientDataJSON?: unknown } | undefined)?.clientDataJSON,
  );
  if (!clientData || typeof clientData.origin !== 'string') throw refuse('clientDataJSON unreadable');
  if (!originAllowed(clientData.origin, rpId)) throw refuse(`origin ${clientData.origin} not allowed`);
  const userHandle = response.response.userHandle;
  if (userHandle !== undefined && userHandle !== '' && userHandle !== userHandleOf(user)) {
    throw refuse('user handle of another user');
  }
  let newCounter: number;
  try {
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: clientData.origin,
      expectedRPID: rpId,
      credential: {
        id: record.credentialId,
        publicKey: isoBase64URL.toBuffer(record.publicKey),
        counter: record.counter,
        transports: record.transports,
      },
      requireUserVerification: userVerification(pool) === 'required',
    });
    if (!verified.verified) throw new Error('signature did not verify');
    newCounter = verified.authenticationInfo.newCounter;
  } catch (err) {
    throw refuse((err as Error).message);
  }
  record.counter = newCounter;
  ctx.store.changed();
}
