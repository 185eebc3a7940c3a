// Which page answers each Cognito challenge; every name Cognito can send is listed, unhandled ones fail closed.
import { paths } from '../../paths.ts';

/**
 * Every challenge name of Cognito's API, with our page for it, or null: we cannot answer it here, so the sign-in
 * stops with a friendly message (or, once configured, goes to the hosted UI). A unit test checks this against
 * the SDK's own list, so a new challenge cannot slip through unnoticed.
 */
export const CHALLENGE_PAGES: Readonly<Record<string, string | null>> = {
  NEW_PASSWORD_REQUIRED: paths.newPassword,
  SOFTWARE_TOKEN_MFA: paths.mfa,
  SMS_MFA: paths.mfa,
  EMAIL_OTP: paths.mfa,
  SELECT_MFA_TYPE: paths.mfaSelect,
  MFA_SETUP: paths.mfaSetup,
  // SRP and remembered devices: answered inside the gateway's sign-in (USER_SRP_AUTH), never a page of their own.
  PASSWORD_VERIFIER: null,
  DEVICE_SRP_AUTH: null,
  DEVICE_PASSWORD_VERIFIER: null,
  // Choice-based sign-in (USER_AUTH): the choice, a passkey, a code by text message (by email: EMAIL_OTP above).
  SELECT_CHALLENGE: paths.loginChoose,
  WEB_AUTHN: paths.loginPasskey,
  SMS_OTP: paths.mfa,
  // Answered inside the gateway's sign-in (SRP, the choice's password), never a page of their own.
  PASSWORD: null,
  PASSWORD_SRP: null,
  // Lambda-defined challenges are for the hosted UI.
  CUSTOM_CHALLENGE: null,
  ADMIN_NO_SRP_AUTH: null,
};

/** The page for `challengeName`, or undefined when it must fail closed (unknown names included). */
export function pageForChallenge(challengeName: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(CHALLENGE_PAGES, challengeName)
    ? (CHALLENGE_PAGES[challengeName] ?? undefined)
    : undefined;
}
