// After a password or a challenge answer: sign in on tokens, or keep the next challenge server-side and go to its page.
import type { Context } from 'koa';
import type { SignInResult } from '../../cognito/gateway.ts';
import { sessionOf } from '../../session/auth-session.ts';
import { completeSignIn } from '../complete-sign-in.ts';
import { startAuthorization } from '../hosted/start-authorization.ts';
import { loginUrl } from '../../notices.ts';
import type { FlowDeps } from '../types.ts';
import { pageForChallenge } from './challenge-table.ts';

export interface SignInContext {
  /** What the user typed at /login. */
  typedUsername: string;
  returnTo: string;
  /** The challenge just answered, if any. */
  name?: string;
  /** The user asked to trust this browser with the answer (the MFA page's checkbox). */
  rememberDevice?: boolean;
  /** The step that follows is a first factor chosen at sign-in (a code instead of a password, a passkey). */
  firstFactor?: boolean;
}

/** Moves the sign-in one step on. An unknown challenge ends it, keeping nothing (fail closed). */
export async function continueSignIn(
  ctx: Context,
  deps: Pick<
    FlowDeps,
    | 'verifier'
    | 'logger'
    | 'clock'
    | 'config'
    | 'hostedUi'
    | 'returnTo'
    | 'pendingAuthorizations'
    | 'cognito'
    | 'devices'
  >,
  result: SignInResult,
  context: SignInContext,
): Promise<void> {
  const session = sessionOf(ctx);
  if (result.kind === 'tokens') {
    delete session.challenge;
    return completeSignIn(ctx, deps, result.tokens, context.returnTo, {
      rememberDevice: context.rememberDevice,
    });
  }
  const page = pageForChallenge(result.challengeName);
  if (!page) {
    delete session.challenge;
    // With a hosted UI configured, it can take the user through what our pages cannot.
    if (deps.config.cognito?.domain) {
      deps.logger.info({ challenge: result.challengeName }, 'challenge handed to the hosted UI');
      if (startAuthorization(ctx, deps, { returnTo: context.returnTo, loginHint: context.typedUsername }))
        return;
    }
    deps.logger.warn({ challenge: result.challengeName }, 'sign-in challenge not supported: sign-in stopped');
    session.lastUsername = context.typedUsername;
    return ctx.redirect(loginUrl(undefined, 'challenge-unsupported'));
  }
  const now = deps.clock();
  const p = result.parameters;
  session.challenge = {
    name: result.challengeName,
    session: result.session,
    username: p.USER_ID_FOR_SRP ?? p.USERNAME ?? context.typedUsername,
    typedUsername: context.typedUsername,
    parameters: p,
    attempts: 0,
    startedAt: now,
    expiresAt: now + deps.config.mfa.challengeMinutes * 60_000,
    returnTo: deps.returnTo(context.returnTo),
    ...(context.name === 'SELECT_MFA_TYPE' ? { chosen: true } : {}),
    ...(result.available ? { available: result.available } : {}),
    ...(context.firstFactor ? { firstFactor: true } : {}),
  };
  ctx.redirect(page);
}

/** Ends the pending challenge and sends the user back to sign in, their username kept. */
export function restartSignIn(ctx: Context, notice: 'challenge-expired' | 'too-many-codes'): void {
  const session = sessionOf(ctx);
  const challenge = session.challenge;
  delete session.challenge;
  if (challenge) session.lastUsername = challenge.typedUsername;
  // A code or passkey sign-in ran out: "enter your password again" would be wrong there.
  const said = notice === 'challenge-expired' && challenge?.firstFactor ? 'first-factor-expired' : notice;
  ctx.redirect(loginUrl(challenge?.returnTo, said));
}
