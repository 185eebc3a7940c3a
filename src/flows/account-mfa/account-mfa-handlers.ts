// /account/mfa: see and change two-step verification, after a fresh sign-in check: the password, then the second
// step Cognito asks for (second-factor.ts). Every change ends the user's other sessions.
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import type { CognitoUser, MfaMethod, MfaPreference } from '../../cognito/gateway.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { paths } from '../../paths.ts';
import { currentAuth, ownerKeys, sessionOf } from '../../session/auth-session.ts';
import { groupedSecret, otpauthUri } from '../../totp/otpauth-uri.ts';
import { qrSvg } from '../../totp/qr-svg.ts';
import { parseCode } from '../code-field.ts';
import { byField, fieldError, formError, type FieldError } from '../../field-errors.ts';
import { formStatus } from '../form-status.ts';
import { checkCurrentPassword } from '../account/password-check.ts';
import { endUserSessions } from '../end-sessions.ts';
import { distrustDevices } from '../devices/remembered-devices.ts';
import type { FlowDeps } from '../types.ts';
import { needsMessage, proofCovers, proofNeeded, secondFactorStep, type MfaChange } from './second-factor.ts';

const NOTICES: Readonly<Record<string, MessageKey>> = { changed: 'accountMfa.changed' };

export function accountMfaHandlers(deps: FlowDeps) {
  const { config, cognito, renderer, clock, logger } = deps;
  const methods = config.mfa.methods;
  const second = secondFactorStep(deps);

  /** True when the user passed the check (password, then any second step) within the last few minutes. */
  function freshlyVerified(ctx: Context): boolean {
    const at = sessionOf(ctx).reauthenticatedAt;
    return at !== undefined && clock() - at < config.mfa.reauthMinutes * 60_000;
  }

  function showVerify(ctx: Context, status: number, errors: FieldError[]): void {
    ctx.status = status;
    renderer.render(ctx, 'pages/account-mfa-verify.njk', { errors, fieldErrors: byField(errors) });
  }

  /**
   * Whether the last check proved what `change` of `method` needs (second-factor.ts). If not, the check is spent
   * and the verify page says what to prove: the password again, then the second step it asks for.
   */
  function mayChange(ctx: Context, change: MfaChange, method: MfaMethod, user: CognitoUser): boolean {
    const session = sessionOf(ctx);
    const need = proofNeeded(change, method, user);
    if (proofCovers(session.reauthFactor, need, user)) return true;
    logger.info(
      { change, need, proof: session.reauthFactor },
      'MFA change refused: the second step was not proved',
    );
    delete session.reauthenticatedAt;
    delete session.reauthFactor;
    showVerify(ctx, 403, [needsMessage(need)]);
    return false;
  }

  /**
   * After a change: every other session of the user ends (a new id for this one), tokens revoked, and no browser
   * stays trusted to skip the second factor.
   */
  async function endOtherSessions(ctx: Context, why: string): Promise<void> {
    const auth = currentAuth(ctx)!;
    await distrustDevices(ctx, deps, auth.accessToken);
    await endUserSessions(ctx, deps, ownerKeys(auth.sub, auth.email, auth.username), why, {
      keepCurrent: true,
    });
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
    renderer.render(ctx, 'pages/account-mfa.njk', {
      rows,
      notice,
      noticeTone: 'success',
      errors,
      fieldErrors: byField(errors),
    });
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
      if (ctx.query.restart !== undefined) delete sessionOf(ctx).reauthChallenge;
      if (second.pending(ctx)) return second.show(ctx, 200, []);
      if (!freshlyVerified(ctx)) return showVerify(ctx, 200, []);
      await showSettings(ctx, 200, []);
    },

    /**
     * The check, as a sign-in: the password first, shown right by tokens or by Cognito asking for the second step,
     * which must then be answered too (`step=second`); only then may settings change.
     */
    verifyPost: async (ctx: Context): Promise<void> => {
      if (ctx.state.form?.step === 'second') return second.answer(ctx, showVerify);
      const password = ctx.state.form?.password ?? '';
      if (password === '') return showVerify(ctx, 400, [fieldError('password', 'login.passwordMissing')]);
      // The sign-in may make Cognito send a code by text message or email: not sooner or more often than allowed.
      const tooSoon = await second.codeRefused(ctx);
      if (tooSoon) return showVerify(ctx, 429, [tooSoon]);
      const check = await checkCurrentPassword(ctx, deps, password);
      if (!check.ok) return showVerify(ctx, formStatus([check.error]), [check.error]);
      const result = check.result;
      // Fresh once the second step is answered too (when Cognito asks for one); then a new session id.
      return second.afterPassword(ctx, result);
    },

    changePost: async (ctx: Context): Promise<void> => {
      if (!freshlyVerified(ctx)) return showVerify(ctx, 200, []);
      const form = ctx.state.form ?? {};
      const method = methods.find((m) => m === form.method);
      const preference = method && preferenceFor(form.action ?? '', method);
      if (!method || !preference) return showSettings(ctx, 400, [formError('errors.INVALID_PARAMETER')]);
      const user = await cognito.getUser(currentAuth(ctx)!.accessToken);
      if (!mayChange(ctx, form.action as MfaChange, method, user)) return;
      if (method === 'SOFTWARE_TOKEN_MFA' && (form.action === 'enable' || form.action === 'prefer')) {
        // Turning the app on needs it set up first, unless it already is.
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
      await endOtherSessions(ctx, 'MFA settings changed');
      ctx.redirect(`${paths.accountMfa}?notice=changed`);
    },

    totpGet: async (ctx: Context): Promise<void> => {
      if (!freshlyVerified(ctx)) return showVerify(ctx, 200, []);
      const session = sessionOf(ctx);
      if (!session.totpSetupSecret) {
        // Replacing an app that is set up needs a code from it; adding one, any second step there is.
        const accessToken = currentAuth(ctx)!.accessToken;
        const user = await cognito.getUser(accessToken);
        if (!mayChange(ctx, 'set-up-app', 'SOFTWARE_TOKEN_MFA', user)) return;
        session.totpSetupSecret = await cognito.associateSoftwareToken(accessToken);
      }
      showTotp(ctx, 200, []);
    },

    totpQrGet: async (ctx: Context): Promise<void> => {
      const secret = sessionOf(ctx).totpSetupSecret;
      if (!secret || !freshlyVerified(ctx)) return ctx.throw(404);
      const auth = currentAuth(ctx)!;
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'image/svg+xml';
      ctx.body = await qrSvg(
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
      await endOtherSessions(ctx, 'authenticator app set up');
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
