// The account's own security: change the password, sign out everywhere, delete the account. Each behind sign-in,
// CSRF-checked (app-wide), rate limited (the password forms), and each ends in a message the user can see.
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import { byField, fieldError, formError, type FieldError } from '../../field-errors.ts';
import { loginUrl } from '../../notices.ts';
import { paths } from '../../paths.ts';
import { policyRules } from '../../password-policy.ts';
import { currentAuth, sessionOf } from '../../session/auth-session.ts';
import { endUserSessions } from '../end-sessions.ts';
import { distrustDevices } from '../devices/remembered-devices.ts';
import { formStatus } from '../form-status.ts';
import { checkNewPassword, MAX_PASSWORD, newPasswordRefusal } from '../new-password-field.ts';
import type { FlowDeps } from '../types.ts';
import { checkCurrentPassword } from './password-check.ts';

export function accountSecurityHandlers(deps: FlowDeps) {
  const { cognito, renderer, passwordPolicy, logger } = deps;

  function showPassword(ctx: Context, status: number, errors: FieldError[]): void {
    ctx.status = status;
    renderer.render(ctx, 'pages/account-password.njk', {
      passwordRules: policyRules(passwordPolicy),
      errors,
      fieldErrors: byField(errors),
    });
  }

  /** What the account is called on the delete page, and what must be typed to confirm. */
  const confirmName = (ctx: Context) => {
    const auth = currentAuth(ctx)!;
    return auth.email ?? auth.username;
  };

  function showDelete(ctx: Context, status: number, errors: FieldError[], typed = ''): void {
    ctx.status = status;
    renderer.render(ctx, 'pages/account-delete.njk', {
      confirmName: confirmName(ctx),
      typed,
      errors,
      fieldErrors: byField(errors),
    });
  }

  /** Cognito's refusal of a new password, on the form's field; undefined for anything the error page shows. */
  function passwordRefusal(err: AuthError): FieldError | undefined {
    switch (err.code) {
      case 'INVALID_CREDENTIALS':
        return fieldError('currentPassword', 'accountPassword.currentWrong');
      case 'ACCOUNT_LOCKED':
      case 'TOO_MANY_ATTEMPTS':
        return formError('errors.ACCOUNT_LOCKED');
      default:
        return newPasswordRefusal(err, 'newPassword', passwordPolicy);
    }
  }

  return {
    passwordGet: (ctx: Context): void => showPassword(ctx, 200, []),

    /** ChangePassword; then every other session of the user ends, and this one goes on under a new id. */
    passwordPost: async (ctx: Context): Promise<void> => {
      const form = ctx.state.form ?? {};
      const current = form.currentPassword ?? '';
      const proposed = form.newPassword ?? '';
      const errors = [
        current === ''
          ? fieldError('currentPassword', 'login.passwordMissing')
          : current.length > MAX_PASSWORD
            ? fieldError('currentPassword', 'accountPassword.currentWrong')
            : undefined,
        checkNewPassword(proposed, passwordPolicy, 'newPassword'),
      ].filter((e): e is FieldError => e !== undefined);
      if (errors.length > 0) return showPassword(ctx, 400, errors);
      const auth = currentAuth(ctx)!;
      try {
        await cognito.changePassword(auth.accessToken, current, proposed);
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        const shown = passwordRefusal(err);
        if (!shown) throw err;
        // A wrong current password is a refused credential (401), as at sign-in.
        return showPassword(ctx, err.code === 'INVALID_CREDENTIALS' ? 401 : formStatus([shown]), [shown]);
      }
      // No browser stays trusted to skip the second factor after the password changed.
      await distrustDevices(ctx, deps, auth.accessToken);
      const ended = await endUserSessions(ctx, deps, sessionOf(ctx).owners ?? [], 'password changed', {
        keepCurrent: true,
      });
      ctx.redirect(`${paths.account}?notice=${ended > 0 ? 'password-changed-others' : 'password-changed'}`);
    },

    signOutEverywhereGet: (ctx: Context): void => {
      renderer.render(ctx, 'pages/account-sign-out-everywhere.njk', {
        devicesHint: deps.config.signIn.rememberDevices !== 'off',
      });
    },

    /**
     * GlobalSignOut at Cognito (every refresh token of the user, whatever app holds it), and every session of the
     * user in our store, on every instance, this one too. Ours end even when Cognito cannot be told.
     */
    signOutEverywherePost: async (ctx: Context): Promise<void> => {
      const auth = currentAuth(ctx)!;
      try {
        await cognito.globalSignOut(auth.accessToken);
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        logger.warn({ error: err.code }, 'GlobalSignOut failed; our sessions of the user were ended anyway');
      }
      await endUserSessions(ctx, deps, sessionOf(ctx).owners ?? [], 'signed out everywhere', {
        keepCurrent: false,
      });
      ctx.redirect(loginUrl(undefined, 'signed-out-everywhere'));
    },

    deleteGet: (ctx: Context): void => showDelete(ctx, 200, []),

    /** After the password (checked as a sign-in) and the account's name typed out: DeleteUser, then signed out. */
    deletePost: async (ctx: Context): Promise<void> => {
      const form = ctx.state.form ?? {};
      const typed = (form.confirm ?? '').trim();
      const password = form.password ?? '';
      // Every field in error at once; Cognito is asked only once both are filled in right.
      const errors = [
        password === '' ? fieldError('password', 'login.passwordMissing') : undefined,
        typed === ''
          ? fieldError('confirm', 'accountDelete.confirmMissing')
          : typed.toLowerCase() !== confirmName(ctx).toLowerCase()
            ? fieldError('confirm', 'accountDelete.confirmWrong')
            : undefined,
      ].filter((e): e is FieldError => e !== undefined);
      if (errors.length > 0) return showDelete(ctx, 400, errors, typed);
      const check = await checkCurrentPassword(ctx, deps, password);
      if (!check.ok) return showDelete(ctx, formStatus([check.error]), [check.error], typed);
      const auth = currentAuth(ctx)!;
      await cognito.deleteUser(auth.accessToken);
      logger.info('account deleted by its user');
      // Its devices went with it: this browser forgets its entry too.
      await deps.devices.drop(ctx, (e) => e.username === auth.username);
      await endUserSessions(ctx, deps, sessionOf(ctx).owners ?? [], 'account deleted', {
        keepCurrent: false,
      });
      ctx.redirect(loginUrl(undefined, 'account-deleted'));
    },
  };
}
