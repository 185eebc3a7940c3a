// Sign-up: the configured form, the pool's password policy checked first, then SignUp and on to /confirm.
import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { AuthError, type AuthErrorCode } from '../../cognito/errors.ts';
import { paths } from '../../paths.ts';
import { policyRules, ruleFromCognitoMessage } from '../../password-policy.ts';
import { currentAuth, sessionOf } from '../../session/auth-session.ts';
import { byField, fieldError, formError, type FieldError } from '../../field-errors.ts';
import { maskEmail } from '../mask.ts';
import { loginUrl } from '../../notices.ts';
import { passwordRuleError } from '../new-password-field.ts';
import { createTimingEqualizer } from '../timing-equalizer.ts';
import { formStatus } from '../form-status.ts';
import type { FlowDeps } from '../types.ts';
import { codeRefusalError, CODE_REFUSED_STATUS } from '../code-limits.ts';
import { hashPassword } from './pending-sign-up.ts';
import { fieldView, parseSignupForm } from './signup-form.ts';

/** Cognito errors that the form shows; anything else (outages, misconfiguration) goes to the error page. */
const FORM_ERRORS: ReadonlySet<AuthErrorCode> = new Set([
  'INVALID_PASSWORD',
  'INVALID_PARAMETER',
  'ALIAS_EXISTS',
  'USERNAME_EXISTS',
  'LAMBDA_VALIDATION',
  'CODE_DELIVERY_FAILED',
  'TOO_MANY_ATTEMPTS',
]);

export function signupHandlers(deps: FlowDeps) {
  const { config, cognito, renderer, logger, clock, passwordPolicy, codeLimits, recentSignUps } = deps;
  const settings = config.signup;
  const timing = createTimingEqualizer();

  function showForm(
    ctx: Context,
    status: number,
    values: Record<string, string>,
    errors: FieldError[],
  ): void {
    ctx.status = status;
    renderer.render(ctx, 'pages/signup.njk', {
      email: values.email ?? '',
      fields: settings.fields.map((f) => fieldView(f, values[fieldView(f, '').name] ?? '')),
      passwordRules: policyRules(passwordPolicy),
      passwordOptional: config.signIn.passwordless.some((w) => w === 'email' || w === 'sms'),
      termsUrl: settings.termsUrl,
      errors,
      fieldErrors: byField(errors),
    });
  }

  /**
   * A new account and a taken email look the same: both go on to "check your email", and both are remembered by
   * address with a hash of the password submitted, so that signing in with it, from any browser, goes to /confirm
   * for the taken one too (pending-sign-up.ts, recent-sign-ups.ts).
   */
  async function toConfirm(
    ctx: Context,
    username: string,
    cognitoSession: string | undefined,
    passwordHash: string,
    taken: boolean,
  ): Promise<void> {
    await recentSignUps.remember(username, { passwordHash, taken });
    sessionOf(ctx).pendingSignUp = {
      username,
      destination: maskEmail(username),
      cognitoSession,
      sentAt: clock(),
    };
    ctx.redirect(paths.confirm);
  }

  function cognitoFormError(err: AuthError): FieldError {
    switch (err.code) {
      case 'INVALID_PASSWORD': {
        const rule = ruleFromCognitoMessage(err.cognitoMessage ?? '', passwordPolicy);
        return rule ? passwordRuleError('password', rule) : fieldError('password', 'errors.INVALID_PASSWORD');
      }
      case 'INVALID_PARAMETER':
        if (/phone/i.test(err.cognitoMessage ?? '')) return fieldError('phone_number', 'signup.phoneInvalid');
        if (/email/i.test(err.cognitoMessage ?? '')) return fieldError('email', 'signup.emailInvalid');
        return formError('errors.INVALID_PARAMETER');
      case 'USERNAME_EXISTS':
      case 'ALIAS_EXISTS':
        return fieldError('email', 'errors.USERNAME_EXISTS');
      case 'LAMBDA_VALIDATION':
        return formError('errors.LAMBDA_VALIDATION', undefined, err.userText);
      default:
        return formError(`errors.${err.code}`);
    }
  }

  return {
    signupGet: (ctx: Context): void => {
      if (!settings.enabled) return void ctx.throw(404);
      if (currentAuth(ctx)) return void ctx.redirect(paths.account);
      showForm(ctx, 200, {}, []);
    },

    signupPost: async (ctx: Context): Promise<void> => {
      if (!settings.enabled) return void ctx.throw(404);
      // Without a password, codes must be a way in (a passkey cannot be added before the first sign-in).
      const passwordless = config.signIn.passwordless.some((w) => w === 'email' || w === 'sms');
      const { value, errors } = parseSignupForm(ctx.state.form ?? {}, settings, passwordPolicy, passwordless);
      if (errors.length > 0) return showForm(ctx, 400, value.values, errors);
      // SignUp sends a code: it is claimed from the limits per address and client first, taken or not.
      const { refused, release } = await codeLimits.claimSend(ctx.ip, 'sign-up', value.email);
      if (refused) {
        return showForm(ctx, CODE_REFUSED_STATUS, value.values, [codeRefusalError(ctx, refused)]);
      }
      // Without a password (passwordless), no sign-in can match the stand-in's: a random one is kept instead.
      const password = value.password === '' ? undefined : value.password;
      const passwordHash = await hashPassword(password ?? randomBytes(32).toString('base64url'));
      const started = performance.now();
      try {
        const result = await cognito.signUp(value.email, password, value.attributes);
        timing.record(performance.now() - started);
        if (result.confirmed) {
          // The pool confirms without a code (a pre-sign-up trigger): straight to sign-in.
          sessionOf(ctx).lastUsername = value.email;
          return ctx.redirect(loginUrl(undefined, 'account-confirmed'));
        }
        return toConfirm(ctx, value.email, result.session, passwordHash, false);
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        if ((err.code === 'USERNAME_EXISTS' || err.code === 'ALIAS_EXISTS') && !settings.revealExisting) {
          logger.info('sign-up for a taken email: shown as success');
          // Cognito answers a taken email faster than it creates an account: do not let the clock tell.
          await timing.pad(started);
          return toConfirm(ctx, value.email, undefined, passwordHash, true);
        }
        // Refused before anything was sent: the claim goes back (a taken address keeps it, as a new one does).
        await release();
        if (!FORM_ERRORS.has(err.code)) throw err;
        const errors = [cognitoFormError(err)];
        return showForm(ctx, formStatus(errors), value.values, errors);
      }
    },
  };
}
