// Confirm a sign-up with the emailed code, resend it after a cooldown, then sign the new user in when allowed.
import type { Context } from 'koa';
import { AuthError, type AuthErrorCode } from '../../cognito/errors.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { paths } from '../../paths.ts';
import { sessionOf, type PendingSignUp } from '../../session/auth-session.ts';
import { parseCode } from '../code-field.ts';
import { continueSignIn } from '../challenge/continue-sign-in.ts';
import { byField, fieldError, formError, type FieldError } from '../../field-errors.ts';
import { loginUrl } from '../../notices.ts';
import { formStatus } from '../form-status.ts';
import type { FlowDeps } from '../types.ts';
import { codeRefusalError, CODE_REFUSED_STATUS } from '../code-limits.ts';
import { sendConfirmationCode } from './send-confirmation-code.ts';

/** Errors the confirm form shows. A wrong code and an account that cannot be confirmed read the same. */
function codeError(code: AuthErrorCode): FieldError | undefined {
  switch (code) {
    case 'CODE_MISMATCH':
    case 'INVALID_CREDENTIALS':
    case 'INVALID_PARAMETER':
      return fieldError('code', 'errors.CODE_MISMATCH');
    case 'CODE_EXPIRED':
      return fieldError('code', 'errors.CODE_EXPIRED');
    case 'TOO_MANY_ATTEMPTS':
      return formError('errors.TOO_MANY_ATTEMPTS');
    default:
      return undefined;
  }
}

/** Notices the confirm page shows after a redirect, by name. */
const NOTICES: Readonly<Record<string, MessageKey>> = {
  resent: 'confirm.resent',
  unconfirmed: 'confirm.unconfirmedSent',
};

export function confirmHandlers(deps: FlowDeps) {
  const { config, cognito, renderer, logger, clock, codeLimits } = deps;
  const cooldownMs = config.resendCooldownSeconds * 1000;

  const secondsLeft = (pending: PendingSignUp | undefined) =>
    pending ? Math.max(0, Math.ceil((pending.sentAt + cooldownMs - clock()) / 1000)) : 0;

  function showForm(ctx: Context, status: number, errors: FieldError[], notice?: FieldError): void {
    const pending = sessionOf(ctx).pendingSignUp;
    ctx.status = status;
    // The page carries a code the user typed: keep it out of any Referer.
    ctx.set('Referrer-Policy', 'no-referrer');
    renderer.render(ctx, 'pages/confirm.njk', {
      destination: pending?.destination,
      email: pending ? undefined : (ctx.state.form?.email ?? ''),
      waitSeconds: secondsLeft(pending),
      notice,
      errors,
      fieldErrors: byField(errors),
    });
  }

  /** Confirms; a sign-up session that has expired only costs the automatic sign-in, not the confirmation. */
  async function confirmWithSession(username: string, code: string, session: string | undefined) {
    try {
      return await cognito.confirmSignUp(username, code, session);
    } catch (err) {
      if (!(err instanceof AuthError) || err.code !== 'SESSION_EXPIRED' || !session) throw err;
      return cognito.confirmSignUp(username, code, undefined);
    }
  }

  return {
    confirmGet: (ctx: Context): void => {
      const pending = sessionOf(ctx).pendingSignUp;
      const notice = pending && NOTICES[String(ctx.query.notice)];
      showForm(ctx, 200, [], notice ? formError(notice, { destination: pending.destination }) : undefined);
    },

    confirmPost: async (ctx: Context): Promise<void> => {
      const form = ctx.state.form ?? {};
      const session = sessionOf(ctx);
      const pending = session.pendingSignUp;
      const username = pending?.username ?? (form.email ?? '').trim();
      const { code, error } = parseCode(form.code);
      const errors = [
        ...(username === '' ? [fieldError('email', 'confirm.emailMissing')] : []),
        ...(error ? [error] : []),
      ];
      if (errors.length > 0) return showForm(ctx, 400, errors);
      // Answers are counted per account before Cognito is asked, for every name alike: a taken address (whose
      // confirmation Cognito refuses forever) runs out after as many wrong codes as a new account's code.
      if (!(await codeLimits.spendAnswer('sign-up', username))) {
        const shown = formError('errors.TOO_MANY_ATTEMPTS');
        return showForm(ctx, formStatus([shown]), [shown]);
      }
      let signInSession: string | undefined;
      try {
        signInSession = await confirmWithSession(username, code, pending?.cognitoSession);
      } catch (err) {
        const shown = err instanceof AuthError ? codeError(err.code) : undefined;
        await codeLimits.settleAnswer('sign-up', username, shown ? 'wrong' : 'undecided');
        if (!shown) throw err;
        return showForm(ctx, formStatus([shown]), [shown]);
      }
      await codeLimits.settleAnswer('sign-up', username, 'right');
      // Confirmed: the address is its owner's, a sign-in of it needs no stand-in (signup/recent-sign-ups.ts).
      await deps.recentSignUps.forget(username);
      delete session.pendingSignUp;
      if (signInSession) {
        try {
          const result = await cognito.signInWithSession(username, signInSession);
          return await continueSignIn(ctx, deps, result, {
            typedUsername: username,
            // The account page says the account is confirmed (after any MFA set-up it goes through first).
            returnTo: `${paths.account}?notice=account-confirmed`,
          });
        } catch (err) {
          // Confirmed all the same: the user signs in with the password instead.
          logger.warn(
            { error: err instanceof AuthError ? err.code : 'unknown' },
            'sign-in after confirmation failed',
          );
        }
      }
      session.lastUsername = username;
      ctx.redirect(loginUrl(undefined, 'account-confirmed'));
    },

    resendPost: async (ctx: Context): Promise<void> => {
      const session = sessionOf(ctx);
      const pending = session.pendingSignUp;
      const username = pending?.username ?? (ctx.state.form?.email ?? '').trim();
      if (username === '') return showForm(ctx, 400, [fieldError('email', 'confirm.emailMissing')]);
      const wait = secondsLeft(pending);
      if (wait > 0) {
        ctx.set('Retry-After', String(wait));
        return showForm(ctx, 429, [formError('confirm.tooSoon', { seconds: wait })]);
      }
      let refused;
      try {
        refused = await sendConfirmationCode(ctx, deps, username);
      } catch (err) {
        if (
          err instanceof AuthError &&
          (err.code === 'TOO_MANY_ATTEMPTS' || err.code === 'CODE_DELIVERY_FAILED')
        ) {
          const errors = [formError(`errors.${err.code}`)];
          return showForm(ctx, formStatus(errors), errors);
        }
        throw err;
      }
      // Too soon or too many for this address or this client, whichever browser asks.
      if (refused) return showForm(ctx, CODE_REFUSED_STATUS, [codeRefusalError(ctx, refused)]);
      ctx.redirect(`${paths.confirm}?notice=resent`);
    },
  };
}
