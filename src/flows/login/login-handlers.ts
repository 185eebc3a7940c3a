// Sign-in with username and password: show the form, ask Cognito, start the session or show one friendly error.
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import type { SignInResult } from '../../cognito/gateway.ts';
import { effectiveLoginMode } from '../../config.ts';
import { redirectPublic } from '../../middleware/base-path.ts';
import { paths } from '../../paths.ts';
import { currentAuth, sessionOf } from '../../session/auth-session.ts';
import { continueSignIn } from '../challenge/continue-sign-in.ts';
import { byField, formError, type FieldError } from '../../field-errors.ts';
import { noticeMessage, noticeTone } from '../../notices.ts';
import { formStatus } from '../form-status.ts';
import { sendConfirmationCode } from '../confirm/send-confirmation-code.ts';
import { sendResetCode } from '../recovery/send-reset-code.ts';
import { startAuthorization } from '../hosted/start-authorization.ts';
import { signInWithPassword } from '../signup/pending-sign-up.ts';
import { settleRefusedSignIn } from '../../rate-limit/login-throttle.ts';
import type { FlowDeps } from '../types.ts';
import { parseLoginForm, parseUsername, passwordlessMethods } from './login-form.ts';
import { startChoice } from './login-choice.ts';
import { deviceChoiceFor } from '../devices/remembered-devices.ts';

export function loginHandlers(deps: FlowDeps) {
  const { renderer, loginThrottle, config } = deps;

  function showForm(ctx: Context, status: number, username: string, errors: FieldError[]): void {
    const returnTo = deps.returnTo(ctx.query.returnTo);
    ctx.status = status;
    renderer.render(ctx, 'pages/login.njk', {
      username,
      errors,
      fieldErrors: byField(errors),
      notice: errors.length === 0 ? noticeMessage(ctx.query.notice) : undefined,
      noticeTone: noticeTone(ctx.query.notice),
      action: deps.publicPath(`${paths.login}?${new URLSearchParams({ returnTo }).toString()}`),
      signupEnabled: config.signup.enabled && effectiveLoginMode(config) === 'forms',
      // Choice-based sign-in: the email first (no password field), or every way on one page.
      choice: config.signIn.passwordless.length > 0 ? config.signIn.layout : undefined,
      methods: passwordlessMethods(config.signIn.passwordless),
      providers: deps.hostedUi
        ? config.oauth.identityProviders.map((name) => ({
            name: providerLabel(name),
            href: deps.publicPath(
              `${paths.hostedStart}?${new URLSearchParams({ provider: name, returnTo }).toString()}`,
            ),
          }))
        : [],
    });
  }

  return {
    loginGet: (ctx: Context): void => {
      if (currentAuth(ctx)) {
        redirectPublic(ctx, deps.returnTo(ctx.query.returnTo));
        return;
      }
      // Hosted mode: the hosted UI is the sign-in page (errors on the way back have pages of their own).
      if (effectiveLoginMode(config) === 'hosted') {
        if (startAuthorization(ctx, deps, { returnTo: ctx.query.returnTo })) return;
      }
      showForm(ctx, 200, sessionOf(ctx).lastUsername ?? '', []);
    },

    loginPost: async (ctx: Context): Promise<void> => {
      const form = ctx.state.form ?? {};
      const choice = config.signIn.passwordless.length > 0;
      // Choice-based sign-in: the email alone (then the choice), or a way chosen on the one-page form.
      const passwordless = passwordlessMethods(config.signIn.passwordless).some(
        (m) => m.factor === form.method,
      );
      // The button pressed decides (a password filled in by a password manager does not turn a code into one).
      if (choice && (passwordless || ((form.method ?? '') !== 'PASSWORD' && (form.password ?? '') === ''))) {
        const { value, errors } = parseUsername(form);
        if (errors.length > 0) return showForm(ctx, 400, value, errors);
        return startChoice(ctx, deps, value, form.method, deps.returnTo(ctx.query.returnTo), showForm);
      }
      const { value, errors } = parseLoginForm(form);
      if (errors.length > 0) return showForm(ctx, 400, value.username, errors);
      return signInWithPasswordOn(ctx, value.username, value.password, deps.returnTo(ctx.query.returnTo));
    },

    signInWithPasswordOn,
  };

  /** The password sign-in of the form (and of the choice page): throttled, Cognito's answer, the next step. */
  async function signInWithPasswordOn(
    ctx: Context,
    username: string,
    password: string,
    returnTo: string,
    onError: (ctx: Context, status: number, username: string, errors: FieldError[]) => void = showForm,
  ): Promise<void> {
    // A failure is counted before Cognito is asked (parallel guesses get no more tries), and taken back below.
    const waitMs = await loginThrottle.begin(username, ctx.ip);
    if (waitMs > 0) {
      ctx.set('Retry-After', String(Math.ceil(waitMs / 1000)));
      const errors = [formError('errors.ACCOUNT_LOCKED')];
      return onError(ctx, formStatus(errors), username, errors);
    }
    let result: SignInResult;
    try {
      // Cognito's answer, or a taken address's stand-in for it after a recent sign-up (from any browser).
      const devices = await deviceChoiceFor(ctx, deps);
      result = await signInWithPassword(deps, username, password, devices);
    } catch (err) {
      await settleRefusedSignIn(loginThrottle, username, ctx.ip, err);
      if (!(err instanceof AuthError)) throw err;
      // Outages and our own misconfiguration end on the error page (the error table says which).
      if (!err.expose) throw err;
      if (err.code === 'USER_NOT_CONFIRMED') {
        // The password was right: send a fresh code and go on to confirm (Cognito sends none by itself here).
        await sendConfirmationCode(ctx, deps, username, true);
        return ctx.redirect(`${paths.confirm}?notice=unconfirmed`);
      }
      if (err.code === 'PASSWORD_RESET_REQUIRED') {
        await sendResetCode(ctx, deps, username, true);
        return ctx.redirect(paths.resetPassword);
      }
      const errors = [formError(`errors.${err.code}`)];
      return onError(ctx, formStatus(errors), username, errors);
    }
    await loginThrottle.succeeded(username, ctx.ip);
    return continueSignIn(ctx, deps, result, { typedUsername: username, returnTo });
  }
}

/** Cognito's provider names as people know them; other names (SAML, OIDC) are shown as configured. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  Google: 'Google',
  Facebook: 'Facebook',
  LoginWithAmazon: 'Amazon',
  SignInWithApple: 'Apple',
};

function providerLabel(name: string): string {
  return PROVIDER_NAMES[name] ?? name;
}
