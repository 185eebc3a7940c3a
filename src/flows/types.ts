// What every flow receives: its dependencies, passed in, never imported.
import type { SessionCopies } from '../session/session-copies.ts';
import type { KeptAccountPage } from './account/kept-account-page.ts';
import type { Logger } from 'pino';
import type { Brand } from '../branding/brand.ts';
import type { CognitoGateway } from '../cognito/gateway.ts';
import type { HostedUi } from '../cognito/hosted-ui.ts';
import type { TokenVerifier } from '../cognito/verifier.ts';
import type { Config } from '../config.ts';
import type { PasswordPolicy } from '../password-policy.ts';
import type { LoginThrottle } from '../rate-limit/login-throttle.ts';
import type { SessionStore } from '../session/memory-store.ts';
import type { DeviceVault } from '../session/device-vault.ts';
import type { AuthResolver } from '../session/resolve-auth.ts';
import type { TokenRefresher } from '../session/token-refresh.ts';
import type { ReturnToCheck } from '../return-to.ts';
import type { IdentityAsserter } from '../identity/assertion.ts';
import type { Answers } from '../protect/answers.ts';
import type { Gate } from '../protect/gate.ts';
import type { Renderer } from '../views.ts';
import type { PendingAuthorizations } from './hosted/pending-authorization.ts';
import type { CodeLimits } from './code-limits.ts';
import type { RecentSignUps } from './signup/recent-sign-ups.ts';

export interface FlowDeps {
  config: Config;
  cognito: CognitoGateway;
  verifier: TokenVerifier;
  refresher: TokenRefresher;
  /** Signed in or not, and who: the one decision every protected route uses. */
  resolveAuth: AuthResolver;
  sessionStore: SessionStore;
  renderer: Renderer;
  loginThrottle: LoginThrottle;
  /** Codes sent and answered per destination and client address, whatever browser asks (code-limits.ts). */
  codeLimits: CodeLimits;
  /** Sign-ups by address, for every browser: a taken address looks new at sign-in from anywhere. */
  recentSignUps: RecentSignUps;
  /** Remembered devices of this browser ("Trust this browser"), behind their own signed cookie. */
  devices: DeviceVault;
  /** The hosted UI client, when a hosted UI is available (a domain, or local mode's emulator). */
  hostedUi: HostedUi | undefined;
  brand: Brand;
  passwordPolicy: PasswordPolicy;
  logger: Logger;
  /** Who may pass to a protected app: the session or Bearer token, then the access rules. */
  gate: Gate;
  /** Our own answers in front of a protected app (sign in, 401, 403, 502/504). */
  answers: Answers;
  /** Signs `x-amzn-oidc-data` and publishes its keys. */
  asserter: IdentityAsserter;
  /** The hosted-UI authorization under way, in a sealed cookie until the callback (no session before it). */
  pendingAuthorizations: PendingAuthorizations;
  /** Our path `p` as the browser sees it: under BASE_PATH. Templates get `paths` already prefixed. */
  publicPath: (p: string) => string;
  /** Where a browser may be sent back to: our paths, and absolute URLs on ALLOWED_REDIRECT_HOSTS. */
  returnTo: ReturnToCheck;
  /** ms since the epoch; tests move it forward to expire tokens. */
  clock: () => number;
  /** Account pages of signed-in sessions kept for their next visits (flows/account/kept-account-page.ts). */
  accountPages?: SessionCopies<KeptAccountPage>;
}
