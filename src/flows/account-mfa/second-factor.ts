// The re-authentication before changing two-step verification is a whole sign-in: the password, then the second
// step Cognito asks for in that sign-in (a code from the app, or one Cognito sends by text message or email).
// Which change needs which proof is decided here too.
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import type { CognitoUser, MfaMethod, SignInResult } from '../../cognito/gateway.ts';
import { byField, fieldError, formError, type FieldError } from '../../field-errors.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { paths } from '../../paths.ts';
import { currentAuth, sessionOf, type PendingReauthChallenge } from '../../session/auth-session.ts';
import { parseCode } from '../code-field.ts';
import { codeRefusalError, CODE_REFUSED_STATUS, mfaDestination } from '../code-limits.ts';
import type { FlowDeps } from '../types.ts';

/** What proved the second step at the last re-authentication: a method, or `none` when Cognito asked for none. */
export type Proof = MfaMethod | 'none';
/** What a change needs: nothing beyond the password, any second step, or that method's own. */
export type Need = 'none' | 'any' | MfaMethod;
/** The changes of the settings page; `set-up-app` adds or replaces the authenticator app. */
export type MfaChange = 'enable' | 'disable' | 'prefer' | 'set-up-app';

const CODE_FIELD: Readonly<Record<MfaMethod, string>> = {
  SOFTWARE_TOKEN_MFA: 'SOFTWARE_TOKEN_MFA_CODE',
  SMS_MFA: 'SMS_MFA_CODE',
  EMAIL_OTP: 'EMAIL_OTP_CODE',
};
const METHODS = Object.keys(CODE_FIELD) as MfaMethod[];

const LEAD: Readonly<Record<MfaMethod, MessageKey>> = {
  SOFTWARE_TOKEN_MFA: 'mfa.leadTotp',
  SMS_MFA: 'mfa.leadSms',
  EMAIL_OTP: 'mfa.leadEmail',
};

const isMethod = (name: string): name is MfaMethod => (METHODS as string[]).includes(name);

/**
 * The proof a change needs. Without any method turned on, the password (no second step exists). Otherwise:
 * removing a method needs that method; making another method preferred changes the preferred one, so needs it;
 * adding or replacing the authenticator app needs the app when it is already set up (its code, not a new
 * one's); turning a method on needs some second step.
 */
export function proofNeeded(change: MfaChange, method: MfaMethod, user: CognitoUser): Need {
  if (user.mfaEnabled.length === 0) return 'none';
  switch (change) {
    case 'disable':
      return user.mfaEnabled.includes(method) ? method : 'any';
    case 'prefer':
      return user.mfaPreferred ?? 'any';
    case 'set-up-app':
      return user.mfaEnabled.includes('SOFTWARE_TOKEN_MFA') ? 'SOFTWARE_TOKEN_MFA' : 'any';
    case 'enable':
      return 'any';
  }
}

/**
 * Whether `proof` satisfies `need`. A method is proved by answering its challenge in the re-authentication's
 * sign-in. Cognito asks only for the preferred method when there is one, so another method cannot be proved that
 * way (and Cognito has no other check of an app's code); the preferred method, proved, stands for it: that is
 * the one sign-in depends on. `none` (Cognito asked for no second step) satisfies everything: turning a method on
 * ends every other session, so such a proof survives only in the session that turned it on.
 */
export function proofCovers(proof: Proof | undefined, need: Need, user: CognitoUser): boolean {
  if (need === 'none') return true;
  if (proof === undefined) return false;
  if (proof === 'none' || need === 'any' || proof === need) return true;
  return user.mfaPreferred !== undefined && user.mfaPreferred !== need && proof === user.mfaPreferred;
}

/** The message of the verify page when a change needs another proof than the one given. */
export function needsMessage(need: Need): FieldError {
  return formError(need === 'none' || need === 'any' ? 'accountMfa.needsAny' : `accountMfa.needs.${need}`);
}

/** The second step of the re-authentication: kept in the session, answered on /account/mfa/verify. */
export function secondFactorStep(deps: FlowDeps) {
  const { cognito, renderer, clock, config, codeLimits, logger } = deps;

  /** The pending challenge, or undefined (an expired one is dropped). */
  function pending(ctx: Context): PendingReauthChallenge | undefined {
    const session = sessionOf(ctx);
    const challenge = session.reauthChallenge;
    if (challenge && clock() >= challenge.expiresAt) delete session.reauthChallenge;
    return session.reauthChallenge;
  }

  const answersKey = (ctx: Context, c: PendingReauthChallenge) =>
    `${currentAuth(ctx)!.sub}\n${c.name}\n${c.startedAt}`;

  /** The methods a SELECT_MFA_TYPE offers (MFAS_CAN_CHOOSE), limited to the ones we have a step for. */
  function choices(c: PendingReauthChallenge): MfaMethod[] {
    try {
      const parsed: unknown = JSON.parse(c.parameters.MFAS_CAN_CHOOSE ?? '[]');
      return Array.isArray(parsed) ? parsed.filter((m): m is MfaMethod => isMethod(String(m))) : [];
    } catch {
      return [];
    }
  }

  function show(ctx: Context, status: number, errors: FieldError[]): void {
    const c = pending(ctx)!;
    ctx.status = status;
    ctx.set('Referrer-Policy', 'no-referrer');
    renderer.render(ctx, 'pages/account-mfa-verify.njk', {
      step: c.name === 'SELECT_MFA_TYPE' ? 'select' : 'code',
      methods: choices(c),
      lead: isMethod(c.name) ? LEAD[c.name] : undefined,
      destination: c.parameters.CODE_DELIVERY_DESTINATION ?? '',
      restartUrl: `${deps.publicPath(paths.accountMfa)}?restart=1`,
      errors,
      fieldErrors: byField(errors),
    });
  }

  /** Back to the password, with why. */
  function restart(ctx: Context, status: number, error: FieldError, showPassword: ShowPassword): void {
    delete sessionOf(ctx).reauthChallenge;
    showPassword(ctx, status, [error]);
  }

  /** Proved: fresh for a few minutes, with the method that proved it; a new session id, as at sign-in. */
  async function proved(ctx: Context, proof: Proof): Promise<void> {
    const session = sessionOf(ctx);
    delete session.reauthChallenge;
    session.reauthenticatedAt = clock();
    session.reauthFactor = proof;
    await ctx.session!.regenerate();
    ctx.redirect(paths.accountMfa);
  }

  /**
   * Cognito asked for a second step: keep it and show its page. When the step is a code by text message or email,
   * Cognito has sent it: counted against the destination (unless it was claimed before the answer that sent it).
   */
  async function challenged(
    ctx: Context,
    result: Extract<SignInResult, { kind: 'challenge' }>,
    claimed: boolean,
  ) {
    const name = result.challengeName;
    if (name !== 'SELECT_MFA_TYPE' && !isMethod(name)) {
      // Nothing we can check the second step with (an unknown or unsupported challenge): fail closed.
      delete sessionOf(ctx).reauthChallenge;
      logger.warn({ challenge: name }, 're-authentication challenge not supported');
      throw new AuthError('UNEXPECTED_RESPONSE', name);
    }
    const auth = currentAuth(ctx)!;
    const now = clock();
    const p = result.parameters;
    sessionOf(ctx).reauthChallenge = {
      name,
      session: result.session,
      username: p.USER_ID_FOR_SRP ?? p.USERNAME ?? auth.username,
      parameters: p,
      startedAt: now,
      expiresAt: now + config.mfa.challengeMinutes * 60_000,
    };
    if ((name === 'SMS_MFA' || name === 'EMAIL_OTP') && !claimed) {
      // Sent already, by the sign-in (which codeRefused let through): counted all the same.
      await codeLimits.claimSend(ctx.ip, 'mfa', mfaDestination(auth.username));
    }
    show(ctx, 200, []);
  }

  return {
    pending,
    show,

    /** Checked before the password goes to Cognito: its sign-in may send a code, which the limits must allow. */
    async codeRefused(ctx: Context): Promise<FieldError | undefined> {
      const refused = await codeLimits.peekSend(ctx.ip, 'mfa', mfaDestination(currentAuth(ctx)!.username));
      return refused && codeRefusalError(ctx, refused);
    },

    /**
     * The password was right: tokens mean Cognito asked for no second step (nothing to prove beyond the password;
     * MFA_SETUP likewise: the user has no method yet); an MFA challenge must be answered first.
     */
    async afterPassword(ctx: Context, result: SignInResult): Promise<void> {
      delete sessionOf(ctx).reauthChallenge;
      if (result.kind === 'tokens' || result.challengeName === 'MFA_SETUP') return proved(ctx, 'none');
      return challenged(ctx, result, false);
    },

    /** An answer to the pending second step: a method chosen, or a code. */
    async answer(ctx: Context, showPassword: ShowPassword): Promise<void> {
      const c = pending(ctx);
      if (!c) return showPassword(ctx, 400, [formError('errors.SESSION_EXPIRED')]);
      const form = ctx.state.form ?? {};
      let responses: Record<string, string>;
      let counted = false;
      let release: (() => Promise<void>) | undefined;
      if (c.name === 'SELECT_MFA_TYPE') {
        const method = choices(c).find((m) => m === form.method);
        if (!method) return show(ctx, 400, [fieldError('method', 'mfaSelect.missing')]);
        if (method !== 'SOFTWARE_TOKEN_MFA') {
          // Choosing a text message or email makes Cognito send a code: claimed first.
          const destination = mfaDestination(currentAuth(ctx)!.username);
          const claim = await codeLimits.claimSend(ctx.ip, 'mfa', destination);
          if (claim.refused) return show(ctx, CODE_REFUSED_STATUS, [codeRefusalError(ctx, claim.refused)]);
          release = claim.release;
        }
        responses = { ANSWER: method };
      } else {
        const { code, error } = parseCode(form.code);
        if (error) return show(ctx, 400, [error]);
        if (!(await codeLimits.spendAnswer('reauth', answersKey(ctx, c)))) {
          return restart(ctx, 429, formError('errors.TOO_MANY_ATTEMPTS'), showPassword);
        }
        counted = true;
        responses = { [CODE_FIELD[c.name as MfaMethod]]: code };
      }
      let result: SignInResult;
      try {
        result = await cognito.respondToChallenge(c.name, c.session, c.username, responses);
      } catch (err) {
        await release?.();
        const code = err instanceof AuthError ? err.code : undefined;
        if (counted) {
          const wrong = code === 'CODE_MISMATCH' || code === 'MFA_SETUP_CODE_MISMATCH';
          await codeLimits.settleAnswer('reauth', answersKey(ctx, c), wrong ? 'wrong' : 'undecided');
        }
        if (code === 'CODE_MISMATCH' || code === 'MFA_SETUP_CODE_MISMATCH') {
          return show(ctx, 400, [fieldError('code', 'errors.CODE_MISMATCH')]);
        }
        if (code === 'SESSION_EXPIRED' || code === 'INVALID_CREDENTIALS') {
          return restart(ctx, 400, formError('errors.SESSION_EXPIRED'), showPassword);
        }
        if (code === 'TOO_MANY_ATTEMPTS' || code === 'ACCOUNT_LOCKED') {
          return restart(ctx, 429, formError('errors.TOO_MANY_ATTEMPTS'), showPassword);
        }
        throw err;
      }
      if (counted) await codeLimits.settleAnswer('reauth', answersKey(ctx, c), 'right');
      if (result.kind === 'tokens') {
        // Only the check mattered: end the extra sign-in at once.
        if (result.tokens.refreshToken) {
          await cognito.revokeRefreshToken(result.tokens.refreshToken).catch(() => undefined);
        }
        // Tokens straight after a choice, with no code asked for, prove nothing: fail closed.
        if (!isMethod(c.name)) throw new AuthError('UNEXPECTED_RESPONSE', c.name);
        return proved(ctx, c.name);
      }
      // A method chosen: now its code (Cognito has just sent it, when by text message or email).
      return challenged(ctx, result, release !== undefined);
    },
  };
}

type ShowPassword = (ctx: Context, status: number, errors: FieldError[]) => void;
