// Forgotten password: ask for a code (the same neutral page whether or not the account exists), then reset it.
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import { paths } from '../../paths.ts';
import { policyRules } from '../../password-policy.ts';
import { ownersNamedBy, sessionOf } from '../../session/auth-session.ts';
import { parseCode } from '../code-field.ts';
import { byField, fieldError, formError, type FieldError } from '../../field-errors.ts';
import { checkNewPassword, newPasswordRefusal } from '../new-password-field.ts';
import { loginUrl } from '../../notices.ts';
import { formStatus } from '../form-status.ts';
import type { FlowDeps } from '../types.ts';
import { codeRefusalError, CODE_REFUSED_STATUS } from '../code-limits.ts';
import { endUserSessions } from '../end-sessions.ts';
import { sendResetCode } from './send-reset-code.ts';

export function recoveryHandlers(deps: FlowDeps) {
  const { cognito, renderer, passwordPolicy } = deps;

  function showForgot(ctx: Context, status: number, email: string, errors: FieldError[]): void {
    ctx.status = status;
    renderer.render(ctx, 'pages/forgot-password.njk', { email, errors, fieldErrors: byField(errors) });
  }

  /** The reset form. Shown again with errors it keeps neither the code nor the password: both are secrets. */
  function showReset(ctx: Context, status: number, errors: FieldError[]): void {
    const pending = sessionOf(ctx).pendingReset;
    if (!pending) return ctx.redirect(paths.forgotPassword);
    ctx.status = status;
    // The page carries a reset code: keep it out of any Referer.
    ctx.set('Referrer-Policy', 'no-referrer');
    renderer.render(ctx, 'pages/reset-password.njk', {
      destination: pending.destination,
      required: pending.required,
      passwordRules: policyRules(passwordPolicy),
      devicesHint: deps.config.signIn.rememberDevices !== 'off',
      errors,
      fieldErrors: byField(errors),
    });
  }

  return {
    forgotGet: (ctx: Context): void => showForgot(ctx, 200, sessionOf(ctx).lastUsername ?? '', []),

    forgotPost: async (ctx: Context): Promise<void> => {
      const email = (ctx.state.form?.email ?? '').trim();
      if (email === '') return showForgot(ctx, 400, email, [fieldError('email', 'signup.emailMissing')]);
      if (email.length > 128)
        return showForgot(ctx, 400, email, [fieldError('email', 'login.usernameTooLong')]);
      let refused;
      try {
        refused = await sendResetCode(ctx, deps, email, false);
      } catch (err) {
        if (
          err instanceof AuthError &&
          (err.code === 'TOO_MANY_ATTEMPTS' || err.code === 'CODE_DELIVERY_FAILED')
        ) {
          const errors = [formError(`errors.${err.code}`)];
          return showForgot(ctx, formStatus(errors), email, errors);
        }
        throw err;
      }
      // Too soon or too many for this address or this client, whichever browser asks: known or not alike.
      if (refused) return showForgot(ctx, CODE_REFUSED_STATUS, email, [codeRefusalError(ctx, refused)]);
      ctx.redirect(paths.resetPassword);
    },

    resetGet: (ctx: Context): void => showReset(ctx, 200, []),

    resetPost: async (ctx: Context): Promise<void> => {
      const session = sessionOf(ctx);
      const pending = session.pendingReset;
      if (!pending) return showForgot(ctx, 400, '', [formError('reset.noPending')]);
      const form = ctx.state.form ?? {};
      const { code, error } = parseCode(form.code);
      const newPassword = form.newPassword ?? '';
      const errors = [error, checkNewPassword(newPassword, passwordPolicy, 'newPassword')].filter(
        (e): e is FieldError => e !== undefined,
      );
      if (errors.length > 0) return showReset(ctx, 400, errors);
      try {
        await cognito.confirmForgotPassword(pending.username, code, newPassword);
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        const shown = resetError(err);
        if (!shown) throw err;
        return showReset(ctx, formStatus([shown]), [shown]);
      }
      delete session.pendingReset;
      session.lastUsername = pending.username;
      // Every session of the user ends, whichever sign-in name the reset was typed as: the email, the internal
      // username, or the sub that equals it (each session is owned under all three); this browser too, if signed in.
      await endUserSessions(ctx, deps, ownersNamedBy(pending.username), 'password reset', {
        keepCurrent: false,
      });
      ctx.redirect(loginUrl(undefined, 'password-changed'));
    },
  };

  function resetError(err: AuthError): FieldError | undefined {
    switch (err.code) {
      case 'CODE_MISMATCH':
      case 'INVALID_CREDENTIALS':
        return fieldError('code', 'errors.CODE_MISMATCH');
      case 'CODE_EXPIRED':
        return fieldError('code', 'errors.CODE_EXPIRED');
      case 'TOO_MANY_ATTEMPTS':
        return formError('errors.TOO_MANY_ATTEMPTS');
      case 'INVALID_PARAMETER':
        return formError('errors.INVALID_PARAMETER');
      default:
        return newPasswordRefusal(err, 'newPassword', passwordPolicy);
    }
  }
}
