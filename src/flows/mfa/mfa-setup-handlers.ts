// /mfa/setup: MFA_SETUP during sign-in. TOTP: a secret as a QR code, then the first code; or email codes.
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import { paths } from '../../paths.ts';
import { groupedSecret, otpauthUri } from '../../totp/otpauth-uri.ts';
import { qrSvg } from '../../totp/qr-svg.ts';
import { challengeGuard, pendingChallenge, secondsLeft } from '../challenge/challenge-guard.ts';
import { answerError } from '../challenge/answer-errors.ts';
import { continueSignIn } from '../challenge/continue-sign-in.ts';
import { parseCode } from '../code-field.ts';
import { byField, fieldError, formError, type FieldError } from '../../field-errors.ts';
import { codeRefusalError, CODE_REFUSED_STATUS } from '../code-limits.ts';
import type { FlowDeps } from '../types.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The methods the user may set up now (`MFAS_CAN_SETUP`, a JSON array). */
function canSetUp(parameters: Record<string, string>): { totp: boolean; email: boolean } {
  let list: unknown;
  try {
    list = JSON.parse(parameters.MFAS_CAN_SETUP ?? '[]');
  } catch {
    list = [];
  }
  const has = (m: string) => Array.isArray(list) && list.includes(m);
  return { totp: has('SOFTWARE_TOKEN_MFA'), email: has('EMAIL_OTP') };
}

export function mfaSetupHandlers(deps: FlowDeps) {
  const { cognito, renderer, clock, config, codeLimits } = deps;

  /** Asks Cognito for a TOTP secret once per challenge; the secret stays in the server session. */
  async function ensureSecret(ctx: Context): Promise<void> {
    const challenge = pendingChallenge(ctx);
    if (challenge.totpSecret || !canSetUp(challenge.parameters).totp) return;
    const { secret, session } = await cognito.associateSoftwareTokenForChallenge(challenge.session);
    challenge.totpSecret = secret;
    challenge.session = session;
  }

  function showForm(ctx: Context, status: number, errors: FieldError[]): void {
    const challenge = pendingChallenge(ctx);
    const methods = canSetUp(challenge.parameters);
    ctx.status = status;
    ctx.set('Referrer-Policy', 'no-referrer');
    renderer.render(ctx, 'pages/mfa-setup.njk', {
      totp: methods.totp,
      email: methods.email,
      secret: challenge.totpSecret ? groupedSecret(challenge.totpSecret) : undefined,
      qrUrl: deps.publicPath(paths.mfaSetupQr),
      emailValue: challenge.typedUsername.includes('@') ? challenge.typedUsername : '',
      secondsLeft: secondsLeft(challenge, clock()),
      errors: methods.totp || methods.email ? errors : [formError('mfaSetup.unavailable')],
      fieldErrors: byField(errors),
    });
  }

  return {
    guard: challengeGuard(['MFA_SETUP'], deps),

    setupGet: async (ctx: Context): Promise<void> => {
      try {
        await ensureSecret(ctx);
      } catch (err) {
        const shown = answerError(ctx, deps, err, 'code');
        return shown ? showForm(ctx, 400, [shown]) : undefined;
      }
      showForm(ctx, 200, []);
    },

    /** The QR code as an image of its own, so the secret never appears in a URL or in script. */
    qrGet: async (ctx: Context): Promise<void> => {
      const challenge = pendingChallenge(ctx);
      if (!challenge.totpSecret) return ctx.throw(404);
      const account = challenge.typedUsername;
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'image/svg+xml';
      ctx.body = await qrSvg(
        otpauthUri(config.mfa.issuer ?? deps.brand.name, account, challenge.totpSecret),
        'QR code',
      );
    },

    setupPost: async (ctx: Context): Promise<void> => {
      const challenge = pendingChallenge(ctx);
      const form = ctx.state.form ?? {};
      const methods = canSetUp(challenge.parameters);
      let result;
      if (form.method === 'email') {
        const email = (form.email ?? '').trim();
        if (!methods.email) return showForm(ctx, 400, [formError('mfaSetup.unavailable')]);
        if (!EMAIL.test(email)) return showForm(ctx, 400, [fieldError('email', 'signup.emailInvalid')]);
        // Cognito sends a code to the address given: claimed first from the limits per destination and client.
        const { refused, release } = await codeLimits.claimSend(ctx.ip, 'mfa', email);
        if (refused) return showForm(ctx, CODE_REFUSED_STATUS, [codeRefusalError(ctx, refused)]);
        try {
          result = await cognito.respondToChallenge('MFA_SETUP', challenge.session, challenge.username, {
            EMAIL: email,
          });
        } catch (err) {
          await release();
          // The address is another account's (an alias) or one Cognito will not take: say so, not a 500.
          if (err instanceof AuthError && err.code === 'ALIAS_EXISTS')
            return showForm(ctx, 400, [fieldError('email', 'errors.ALIAS_EXISTS')]);
          if (err instanceof AuthError && err.code === 'INVALID_PARAMETER')
            return showForm(ctx, 400, [fieldError('email', 'signup.emailInvalid')]);
          const shown = answerError(ctx, deps, err, 'email');
          return shown ? showForm(ctx, 400, [shown]) : undefined;
        }
        return continueSignIn(ctx, deps, result, challenge);
      }
      if (!methods.totp || !challenge.totpSecret)
        return showForm(ctx, 400, [formError('mfaSetup.unavailable')]);
      const { code, error } = parseCode(form.code);
      if (error) return showForm(ctx, 400, [error]);
      try {
        challenge.session = await cognito.verifySoftwareTokenForChallenge(challenge.session, code);
        result = await cognito.respondToChallenge('MFA_SETUP', challenge.session, challenge.username, {});
      } catch (err) {
        const shown = answerError(ctx, deps, err, 'code');
        return shown ? showForm(ctx, 400, [shown]) : undefined;
      }
      // An authenticator's code was just proved: with REMEMBER_DEVICES=always that trusts this browser.
      const trust = deps.config.signIn.rememberDevices === 'always';
      return continueSignIn(ctx, deps, result, { ...challenge, rememberDevice: trust });
    },
  };
}
