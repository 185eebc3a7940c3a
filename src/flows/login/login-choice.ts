// Choice-based sign-in (USER_AUTH, PASSWORDLESS set): the email first, then the way in Cognito offers this user (the
// password, a code by email or text message, a passkey), or a way chosen on the one-page form at once.
import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import type { SignInResult } from '../../cognito/gateway.ts';
import { byField, fieldError, formError, type FieldError } from '../../field-errors.ts';
import { loginUrl } from '../../notices.ts';
import { paths } from '../../paths.ts';
import { sessionOf, type PendingChallenge } from '../../session/auth-session.ts';
import { challengeGuard, pendingChallenge, secondsLeft } from '../challenge/challenge-guard.ts';
import { continueSignIn, restartSignIn } from '../challenge/continue-sign-in.ts';
import { formStatus } from '../form-status.ts';
import { CODE_REFUSED_STATUS, codeRefusalError, mfaDestination } from '../code-limits.ts';
import { createTimingEqualizer } from '../timing-equalizer.ts';
import type { FlowDeps } from '../types.ts';
import { MAX_PASSWORD, passwordlessMethods } from './login-form.ts';

/** A passkey's answer (the browser's AuthenticationResponseJSON) is a few hundred bytes to a few KB. */
const MAX_CREDENTIAL = 16_384;

type ShowLogin = (ctx: Context, status: number, username: string, errors: FieldError[]) => void;

/**
 * Starts choice-based sign-in for `username`: Cognito's SELECT_CHALLENGE. With a way already chosen (the one-page
 * form) that Cognito offers this user, it is answered at once; otherwise the choice page shows what there is.
 */
export async function startChoice(
  ctx: Context,
  deps: FlowDeps,
  username: string,
  method: string | undefined,
  returnTo: string,
  showLogin: ShowLogin,
): Promise<void> {
  let result: SignInResult;
  try {
    result = await deps.cognito.startChoiceSignIn(username);
  } catch (err) {
    if (!(err instanceof AuthError) || !err.expose) throw err;
    const errors = [formError(`errors.${err.code}`)];
    return showLogin(ctx, formStatus(errors), username, errors);
  }
  const context = { typedUsername: username, returnTo };
  if (result.kind === 'challenge' && result.challengeName === 'SELECT_CHALLENGE' && method) {
    const configured = passwordlessMethods(deps.config.signIn.passwordless).map((m) => m.factor);
    if (configured.includes(method)) {
      const step = {
        session: result.session,
        username: result.parameters.USERNAME ?? username,
        available: result.available ?? [],
      };
      return takeWay(ctx, deps, step, method, context, (status, errors) =>
        showLogin(ctx, status, username, errors),
      );
    }
  }
  return continueSignIn(ctx, deps, result, context);
}

/** How long Cognito takes to start a way (a code sent): what a decoy step waits, so the clock tells nothing. */
const wayTimes = createTimingEqualizer();

/**
 * Takes a passwordless way: a code's sending is claimed first (per address and client, as every code), for a real
 * step and a decoy alike; then Cognito starts it if it offers it to this user, else the decoy step, after as long.
 */
async function takeWay(
  ctx: Context,
  deps: FlowDeps,
  step: { session: string; username: string; available: readonly string[] },
  method: string,
  context: { typedUsername: string; returnTo: string },
  refused: (status: number, errors: FieldError[]) => void,
): Promise<void> {
  const started = performance.now();
  let release: (() => Promise<void>) | undefined;
  if (method !== 'WEB_AUTHN') {
    const claim = await deps.codeLimits.claimSend(ctx.ip, 'mfa', mfaDestination(context.typedUsername));
    if (claim.refused) return refused(CODE_REFUSED_STATUS, [codeRefusalError(ctx, claim.refused)]);
    release = claim.release;
  }
  if (!step.available.includes(method)) {
    await wayTimes.pad(started);
    return decoy(ctx, deps, method, context);
  }
  let result: SignInResult;
  try {
    result = await deps.cognito.chooseFactor(step.session, step.username, method);
    wayTimes.record(performance.now() - started);
  } catch (err) {
    await release?.();
    if (!(err instanceof AuthError) || !err.expose) throw err;
    if (err.code === 'SESSION_EXPIRED' || err.code === 'INVALID_CREDENTIALS') {
      return restartSignIn(ctx, 'challenge-expired');
    }
    const errors = [formError(`errors.${err.code}`)];
    return refused(formStatus(errors), errors);
  }
  return continueSignIn(ctx, deps, result, { ...context, firstFactor: true });
}

/**
 * A way Cognito does not offer this user (none of its factors, or a user Cognito gives no code to): the page that way
 * would show, with nothing sent and Cognito not asked; every answer is wrong. The code page says where a code went
 * from what was typed, for real and decoy steps alike (mfa-code-handlers.ts).
 */
function decoy(
  ctx: Context,
  deps: FlowDeps,
  factor: string,
  context: { typedUsername: string; returnTo: string },
): void {
  const now = deps.clock();
  const parameters: Record<string, string> =
    factor === 'WEB_AUTHN'
      ? {
          CREDENTIAL_REQUEST_OPTIONS: JSON.stringify({
            challenge: randomBytes(32).toString('base64url'),
            rpId: deps.config.signIn.relyingPartyId,
            allowCredentials: [],
            userVerification: 'preferred',
            timeout: 180_000,
          }),
        }
      : { CODE_DELIVERY_DESTINATION: '' };
  sessionOf(ctx).challenge = {
    name: factor,
    session: '',
    username: context.typedUsername,
    typedUsername: context.typedUsername,
    parameters,
    attempts: 0,
    startedAt: now,
    expiresAt: now + deps.config.mfa.challengeMinutes * 60_000,
    returnTo: context.returnTo,
    firstFactor: true,
    decoy: true,
  };
  ctx.redirect(factor === 'WEB_AUTHN' ? paths.loginPasskey : paths.mfa);
}

export function choiceHandlers(
  deps: FlowDeps,
  signInWithPassword: (
    ctx: Context,
    username: string,
    password: string,
    returnTo: string,
    onError: ShowLogin,
  ) => Promise<void>,
) {
  const { renderer, clock, config } = deps;

  /**
   * Every way configured, whatever Cognito offers this user: what the page shows must not tell whether, or how,
   * an account exists. A way not offered leads to a decoy step.
   */
  function showChoice(ctx: Context, status: number, errors: FieldError[]): void {
    const challenge = pendingChallenge(ctx);
    const methods = passwordlessMethods(config.signIn.passwordless);
    ctx.status = status;
    renderer.render(ctx, 'pages/login-choose.njk', {
      username: challenge.typedUsername,
      password: true,
      methods,
      // Cognito gives no one-time codes to users with MFA: said plainly, for everyone.
      mfaNote: methods.some((m) => m.factor !== 'WEB_AUTHN'),
      secondsLeft: secondsLeft(challenge, clock()),
      errors,
      fieldErrors: byField(errors),
    });
  }

  function showPasskey(ctx: Context, status: number, errors: FieldError[]): void {
    const challenge = pendingChallenge(ctx);
    ctx.status = status;
    renderer.render(ctx, 'pages/login-passkey.njk', {
      options: requestOptions(challenge.parameters.CREDENTIAL_REQUEST_OPTIONS ?? '{}'),
      secondsLeft: secondsLeft(challenge, clock()),
      errors,
    });
  }

  return {
    chooseGuard: challengeGuard(['SELECT_CHALLENGE'], deps),
    passkeyGuard: challengeGuard(['WEB_AUTHN'], deps),

    chooseGet: (ctx: Context): void => showChoice(ctx, 200, []),

    choosePost: async (ctx: Context): Promise<void> => {
      const challenge = pendingChallenge(ctx);
      const form = ctx.state.form ?? {};
      const method = form.method ?? '';
      const offered = challenge.available ?? [];
      if (method === 'PASSWORD') {
        const password = form.password ?? '';
        const problem =
          password === ''
            ? fieldError('password', 'login.passwordMissing')
            : password.length > MAX_PASSWORD
              ? fieldError('password', 'login.passwordTooLong')
              : undefined;
        if (problem) return showChoice(ctx, 400, [problem]);
        // The password goes the usual way (the flow AUTH_FLOW names), with its throttle and its errors.
        const { typedUsername, returnTo } = challenge;
        delete sessionOf(ctx).challenge;
        return signInWithPassword(ctx, typedUsername, password, returnTo, (c, status, _user, errors) => {
          sessionOf(c).challenge = challenge;
          showChoice(c, status, errors);
        });
      }
      if (!passwordlessMethods(config.signIn.passwordless).some((m) => m.factor === method)) {
        return showChoice(ctx, 400, [formError('choose.unavailable')]);
      }
      const step = { session: challenge.session, username: challenge.username, available: offered };
      return takeWay(ctx, deps, step, method, challenge, (status, errors) => showChoice(ctx, status, errors));
    },

    passkeyGet: (ctx: Context): void => showPasskey(ctx, 200, []),

    /** The browser's answer to the passkey request, as JSON: Cognito verifies it (one try per challenge). */
    passkeyPost: async (ctx: Context): Promise<void> => {
      const challenge = pendingChallenge(ctx);
      const credential = ctx.state.form?.credential ?? '';
      if (!isCredential(credential)) return showPasskey(ctx, 400, [formError('passkey.cancelled')]);
      if (challenge.decoy) return passkeyFailed(ctx, challenge);
      try {
        const result = await deps.cognito.respondToChallenge(
          'WEB_AUTHN',
          challenge.session,
          challenge.username,
          {
            CREDENTIAL: credential,
          },
        );
        return await continueSignIn(ctx, deps, result, challenge);
      } catch (err) {
        if (
          err instanceof AuthError &&
          (err.code === 'INVALID_CREDENTIALS' || err.code === 'INVALID_PARAMETER')
        ) {
          // Cognito takes one answer per challenge: the sign-in starts again, the email kept.
          const session = sessionOf(ctx);
          delete session.challenge;
          session.lastUsername = challenge.typedUsername;
          return ctx.redirect(loginUrl(challenge.returnTo, 'passkey-failed'));
        }
        if (err instanceof AuthError && (err.code === 'SESSION_EXPIRED' || err.code === 'TOKEN_REVOKED')) {
          return restartSignIn(ctx, 'challenge-expired');
        }
        throw err;
      }
    },
  };
}

/**
 * The request options as the page gives them to the browser, the same shape for every step: Cognito's challenge and
 * relying party, no list of the user's credentials (passkeys are discoverable: the browser finds them), the same
 * user verification and timeout. A real step and a decoy cannot be told apart by what the page carries.
 */
function requestOptions(json: string): string {
  let options: { challenge?: unknown; rpId?: unknown } = {};
  try {
    options = JSON.parse(json) as typeof options;
  } catch {
    options = {};
  }
  return JSON.stringify({
    challenge: typeof options.challenge === 'string' ? options.challenge : '',
    rpId: typeof options.rpId === 'string' ? options.rpId : undefined,
    allowCredentials: [],
    userVerification: 'preferred',
    timeout: 180_000,
  });
}

/** Cognito takes one answer per passkey challenge: the sign-in starts again, the email kept. */
function passkeyFailed(ctx: Context, challenge: PendingChallenge): void {
  const session = sessionOf(ctx);
  delete session.challenge;
  session.lastUsername = challenge.typedUsername;
  ctx.redirect(loginUrl(challenge.returnTo, 'passkey-failed'));
}

/**
 * A JSON object with a credential id, of the size a passkey's answer has: anything else (passkey.js posts `{}` for a
 * cancelled or refused ceremony) is refused before Cognito is asked, and the challenge stays for another try.
 */
function isCredential(text: string): boolean {
  if (text === '' || text.length > MAX_CREDENTIAL) return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return (
      typeof parsed === 'object' &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      typeof (parsed as { id?: unknown }).id === 'string'
    );
  } catch {
    return false;
  }
}
