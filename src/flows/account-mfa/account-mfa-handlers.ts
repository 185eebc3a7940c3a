// /account/mfa: see and change two-step verification, after a fresh password check.
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import type { MfaMethod, MfaPreference } from '../../cognito/gateway.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { paths } from '../../paths.ts';
import { currentAuth, sessionOf } from '../../session/auth-session.ts';
import { groupedSecret, otpauthUri } from '../../totp/otpauth-uri.ts';
import { qrSvg } from '../../totp/qr-svg.ts';
import { parseCode } from '../code-field.ts';
import { byField, fieldError, formError, type FieldError } from '../../field-errors.ts';
import { formStatus } from '../form-status.ts';
import { settleRefusedSignIn } from '../../rate-limit/login-throttle.ts';
import type { FlowDeps } from '../types.ts';

const NOTICES: Readonly<Record<string, MessageKey>> = { changed: 'accountMfa.changed' };

export function accountMfaHandlers(deps: FlowDeps) {
  const { config, cognito, renderer, clock, logger, loginThrottle } = deps;
  const methods = config.mfa.methods;

  /** True when the user proved their password within the last few minutes. */
  function freshlyVerified(ctx: Context): boolean {
    const at = sessionOf(ctx).reauthenticatedAt;
    return at !== undefined && clock() - at < config.mfa.reauthMinutes * 60_000;
  }

  function showVerify(ctx: Context, status: number, errors: FieldError[]): void {
    ctx.status = status;
    renderer.render(ctx, 'pages/account-mfa-verify.njk', { errors, fieldErrors: byField(errors) });
  }

  async function showSettings(ctx: Context, status: number, errors: FieldError[]): Promise<void> {
    const auth = currentAuth(ctx)!;
    const user = await cognito.getUser(auth.accessToken);
    const rows = methods.map((method) => ({
      method,
      enabled: user.mfaEnabled.includes(method),
      preferred: user.mfaPreferred === method,
      available: method !== 'SMS_MFA' || Boolean(user.attributes.phone_number),
    }));
    ctx.status = status;
    const notice = NOTICES[String(ctx.query.notice)];
    renderer.render(ctx, 'pages/account-mfa.njk', { rows, notice, errors, fieldErrors: byField(errors) });
  }

  /** The one change a button asks for, as SetUserMFAPreference's settings. */
  function preferenceFor(action: string, method: MfaMethod): MfaPreference | undefined {
    switch (action) {
      case 'enable':
        return { [method]: { enabled: true, preferred: false } };
      case 'disable':
        return { [method]: { enabled: false, preferred: false } };
      case 'prefer':
        return { [method]: { enabled: true, preferred: true } };
      default:
        return undefined;
    }
  }

  return {
    settingsGet: async (ctx: Context): Promise<void> => {
      if (!freshlyVerified(ctx)) return showVerify(ctx, 200, []);
      await showSettings(ctx, 200, []);
    },

    /** The password check: a correct password is shown by tokens or by Cognito asking for the second step. */
    verifyPost: async (ctx: Context): Promise<void> => {
      const auth = currentAuth(ctx)!;
      const password = ctx.state.form?.password ?? '';
      if (password === '') return showVerify(ctx, 400, [fieldError('password', 'login.passwordMissing')]);
      const username = auth.email ?? auth.username;
      // Counted before Cognito is asked, as at sign-in, and taken back when the password was right.
      if ((await loginThrottle.begin(username, ctx.ip)) > 0) {
        return showVerify(ctx, 429, [formError('errors.ACCOUNT_LOCKED')]);
      }
      try {
        const result = await cognito.signInWithPassword(username, password);
        if (result.kind === 'tokens' && result.tokens.refreshToken) {
          // Only the check mattered: end the extra sign-in at once.
          await cognito.revokeRefreshToken(result.tokens.refreshToken).catch(() => undefined);
        }
      } catch (err) {
        await settleRefusedSignIn(loginThrottle, username, ctx.ip, err);
        if (!(err instanceof AuthError)) throw err;
        if (err.code === 'INVALID_CREDENTIALS') {
          const errors = [fieldError('password', 'errors.INVALID_CREDENTIALS')];
          return showVerify(ctx, formStatus(errors), errors);
        }
        if (err.code === 'ACCOUNT_LOCKED' || err.code === 'TOO_MANY_ATTEMPTS') {
          const errors = [formError('errors.ACCOUNT_LOCKED')];
          return showVerify(ctx, formStatus(errors), errors);
        }
        throw err;
      }
      await loginThrottle.succeeded(username, ctx.ip);
      sessionOf(ctx).reauthenticatedAt = clock();
      // A privilege change: the session gets a new id, as at sign-in.
      await ctx.session!.regenerate();
      ctx.redirect(paths.accountMfa);
    },

    changePost: async (ctx: Context): Promise<void> => {
      if (!freshlyVerified(ctx)) return showVerify(ctx, 200, []);
      const form = ctx.state.form ?? {};
      const method = methods.find((m) => m === form.method);
      const preference = method && preferenceFor(form.action ?? '', method);
      if (!method || !preference) return showSettings(ctx, 400, [formError('errors.INVALID_PARAMETER')]);
      if (method === 'SOFTWARE_TOKEN_MFA' && (form.action === 'enable' || form.action === 'prefer')) {
        // Turning the app on needs it set up first, unless it already is.
        const user = await cognito.getUser(currentAuth(ctx)!.accessToken);
        if (!user.mfaEnabled.includes('SOFTWARE_TOKEN_MFA')) return ctx.redirect(paths.accountMfaTotp);
      }
      try {
        await cognito.setMfaPreference(currentAuth(ctx)!.accessToken, preference);
      } catch (err) {
        if (err instanceof AuthError && err.code === 'INVALID_PARAMETER') {
          return showSettings(ctx, 400, [formError('errors.INVALID_PARAMETER')]);
        }
        throw err;
      }
      logger.info({ method, action: form.action }, 'MFA settings changed');
      ctx.redirect(`${paths.accountMfa}?notice=changed`);
    },

    totpGet: async (ctx: Context): Promise<void> => {
      if (!freshlyVerified(ctx)) return showVerify(ctx, 200, []);
      const session = sessionOf(ctx);
      session.totpSetupSecret ??= await cognito.associateSoftwareToken(currentAuth(ctx)!.accessToken);
      showTotp(ctx, 200, []);
    },

    totpQrGet: (ctx: Context): void => {
      const secret = sessionOf(ctx).totpSetupSecret;
      if (!secret || !freshlyVerified(ctx)) return ctx.throw(404);
      const auth = currentAuth(ctx)!;
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'image/svg+xml';
      ctx.body = qrSvg(
        otpauthUri(config.mfa.issuer ?? deps.brand.name, auth.email ?? auth.username, secret),
        'QR code',
      );
    },

    totpPost: async (ctx: Context): Promise<void> => {
      if (!freshlyVerified(ctx)) return showVerify(ctx, 200, []);
      const session = sessionOf(ctx);
      if (!session.totpSetupSecret) return ctx.redirect(paths.accountMfaTotp);
      const { code, error } = parseCode(ctx.state.form?.code);
      if (error) return showTotp(ctx, 400, [error]);
      const accessToken = currentAuth(ctx)!.accessToken;
      try {
        await cognito.verifySoftwareToken(accessToken, code);
      } catch (err) {
        if (
          err instanceof AuthError &&
          (err.code === 'MFA_SETUP_CODE_MISMATCH' || err.code === 'CODE_MISMATCH')
        ) {
          return showTotp(ctx, 400, [fieldError('code', 'errors.MFA_SETUP_CODE_MISMATCH')]);
        }
        throw err;
      }
      const user = await cognito.getUser(accessToken);
      await cognito.setMfaPreference(accessToken, {
        SOFTWARE_TOKEN_MFA: { enabled: true, preferred: user.mfaPreferred === undefined },
      });
      delete session.totpSetupSecret;
      logger.info('authenticator app set up from the account page');
      ctx.redirect(`${paths.accountMfa}?notice=changed`);
    },
  };

  function showTotp(ctx: Context, status: number, errors: FieldError[]): void {
    ctx.status = status;
    ctx.set('Referrer-Policy', 'no-referrer');
    renderer.render(ctx, 'pages/account-mfa-totp.njk', {
      secret: groupedSecret(sessionOf(ctx).totpSetupSecret ?? ''),
      qrUrl: deps.publicPath(paths.accountMfaTotpQr),
      errors,
      fieldErrors: byField(errors),
    });
  }
}
