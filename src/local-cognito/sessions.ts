// Challenge Session strings: opaque, server-side, bound to user, client and challenge, single use, expiring.
import { notAuthorized } from './errors.ts';
import { newOpaqueToken } from './ids.ts';

export interface ChallengeSession {
  poolId: string;
  clientId: string;
  /** Internal username. */
  username: string;
  challengeName: string;
  expiresAt: number;
  used: boolean;
  /** Wrong codes answered in this session (MFA challenges, VerifySoftwareToken). */
  failures?: number | undefined;
  /** SMS_MFA / EMAIL_OTP: the code sent for this session (it lives and dies with the session). */
  code?: string | undefined;
  /** SELECT_MFA_TYPE: the choices offered. MFA_SETUP: the types that may be set up. */
  mfaTypes?: string[] | undefined;
  /** MFA_SETUP: VerifySoftwareToken accepted a code in this chain of sessions. */
  totpVerified?: boolean | undefined;
  /** EMAIL_OTP reached through MFA_SETUP: the address being set up for email MFA. */
  setupEmail?: string | undefined;
  /** PASSWORD_VERIFIER, DEVICE_PASSWORD_VERIFIER: the server's half of the SRP exchange and the secret block. */
  srp?: { A: string; b: string; B: string; secretBlock: string } | undefined;
  /** The device this sign-in is made from (DEVICE_KEY given and known), carried to the tokens. */
  deviceKey?: string | undefined;
  /** PASSWORD_VERIFIER for a name no user has (PreventUserExistenceErrors): it can only fail. */
  unknownUser?: boolean | undefined;
  /** WEB_AUTHN: the challenge of the CREDENTIAL_REQUEST_OPTIONS handed out (base64url). */
  webAuthnChallenge?: string | undefined;
}

/** What a new session carries: everything but its expiry and use. */
export type NewChallengeSession = Omit<ChallengeSession, 'expiresAt' | 'used'>;

/**
 * Session kinds that are not Cognito challenges: the Session SignUp returns (for ConfirmSignUp) and the one
 * ConfirmSignUp returns (for InitiateAuth USER_AUTH). Not valid challenge names, so RespondToAuthChallenge
 * cannot answer with them.
 */
export const SIGN_UP_SESSION = 'local:SIGN_UP';
export const CONFIRMED_SIGN_UP_SESSION = 'local:CONFIRMED_SIGN_UP';

/** In-memory store of live challenge sessions (they live minutes; a restart ends them, as on Cognito). */
export class ChallengeSessions {
  private readonly sessions = new Map<string, ChallengeSession>();

  /** A new Session string for this step, valid `validityMinutes` (Cognito: 3 by default). */
  create(data: NewChallengeSession, now: number, validityMinutes: number): string {
    for (const [key, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(key);
    const id = newOpaqueToken(96);
    this.sessions.set(id, { ...data, expiresAt: now + validityMinutes * 60_000, used: false });
    return id;
  }

  /**
   * The live session for `id` answered by `clientId` (undefined: any client, for AssociateSoftwareToken and
   * VerifySoftwareToken, which take no ClientId) for `challengeName`, or NotAuthorizedException.
   */
  get(id: string, clientId: string | undefined, challengeName: string, now: number): ChallengeSession {
    const s = this.sessions.get(id);
    if (!s || (clientId !== undefined && s.clientId !== clientId) || s.challengeName !== challengeName) {
      throw notAuthorized('Invalid session for the user.');
    }
    if (s.expiresAt <= now) throw notAuthorized('Invalid session for the user, session is expired.');
    // Cognito answers a reused session like an unknown one.
    if (s.used) throw notAuthorized('Invalid session for the user.');
    return s;
  }

  /** Marks a session answered: it cannot be used again. */
  consume(s: ChallengeSession): void {
    s.used = true;
  }

  /** Undoes `consume` when the answer was refused (e.g. a password the policy rejects). */
  release(s: ChallengeSession): void {
    s.used = false;
  }
}
