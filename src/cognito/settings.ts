// What the Cognito client, verifier and hosted-UI client need to know: the pool, the app client, the deadline.

/** The settings of one user pool and its confidential app client. */
export interface CognitoSettings {
  region: string;
  userPoolId: string;
  clientId: string;
  clientSecret: string;
  /** API endpoint override (an emulator); signing keys are then fetched from it too. */
  endpoint: string | undefined;
  /** Hosted UI domain as configured (COGNITO_DOMAIN), e.g. `auth.example.com`; undefined when none was set. */
  domain: string | undefined;
  /**
   * Origin of the hosted UI: `https://<domain>`, or the emulator's own origin in local mode (where it serves the
   * hosted UI too, so LOGIN_MODE=hosted works without a domain). Undefined: no hosted UI.
   */
  hostedUiUrl: string | undefined;
  /** Deadline of one Cognito call, in milliseconds. */
  timeoutMs: number;
  /** How sign-in proves the password: USER_PASSWORD_AUTH sends it, USER_SRP_AUTH proves it with SRP. */
  authFlow: AuthFlow;
}

/** The password sign-in flows this server speaks (AUTH_FLOW). */
export type AuthFlow = 'USER_PASSWORD_AUTH' | 'USER_SRP_AUTH';
