// /mfa: the code of SOFTWARE_TOKEN_MFA (authenticator app), SMS_MFA or EMAIL_OTP, answered to Cognito.
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { challengeGuard, pendingChallenge, secondsLeft } from '../challenge/challenge-guard.ts';
import { answerError } from '../challenge/answer-errors.ts';
import { continueSignIn } from '../challenge/continue-sign-in.ts';
import { parseCode } from '../code-field.ts';
import { byField, type FieldError } from '../../field-errors.ts';
import type { FlowDeps } from '../types.ts';
import { maskEmail } from '../mask.ts';

export const CODE_CHALLENGES = ['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'EMAIL_OTP', 'SMS_OTP'] as const;

/** The field of ChallengeResponses that carries the code, per challenge. */
const CODE_FIELD: Record<string, string> = {
  SOFTWARE_TOKEN_MFA: 'SOFTWARE_TOKEN_MFA_CODE',
  SMS_MFA: 'SMS_MFA_CODE',
  EMAIL_OTP: 'EMAIL_OTP_CODE',
  SMS_OTP: 'SMS_OTP_CODE',
};

const LEAD: Record<string, MessageKey> = {
  SOFTWARE_TOKEN_MFA: 'mfa.leadTotp',
  SMS_MFA: 'mfa.leadSms',
  EMAIL_OTP: 'mfa.leadEmail',
  SMS_OTP: 'mfa.leadSms',
};

const FIRST_FACTOR_LEAD: Record<string, MessageKey> = {
  EMAIL_OTP: 'mfa.leadEmailAccount',
  SMS_OTP: 'mfa.leadSmsAccount',
};

export function mfaCodeHandlers(deps: FlowDeps) {
  const { cognito, renderer, clock } = deps;

  function showForm(ctx: Context, status: number, errors: FieldError[], remember = false): void {
    const challenge = pendingChallenge(ctx);
    ctx.status = status;
    ctx.set('Referrer-Policy', 'no-referrer');
    // A first factor's code page says the same for a real step and a decoy: the typed address, masked, or "the
    // phone number of the account" (Cognito's own mask would tell a real step from a decoy).
    const first = challenge.firstFactor === true;
    renderer.render(ctx, 'pages/mfa.njk', {
      lead: first ? FIRST_FACTOR_LEAD[challenge.name] : LEAD[challenge.name],
      destination: first
        ? maskEmail(challenge.typedUsername)
        : (challenge.parameters.CODE_DELIVERY_DESTINATION ?? ''),
      chosen: challenge.chosen === true,
      secondsLeft: secondsLeft(challenge, clock()),
      // "Trust this browser": only where the user decides (REMEMBER_DEVICES=ask), kept across a wrong code.
      offerRemember: deps.config.signIn.rememberDevices === 'ask' && challenge.firstFactor !== true,
      rememberDays: deps.config.signIn.rememberDeviceDays,
      remember,
      errors,
      fieldErrors: byField(errors),
    });
  }

  return {
    guard: challengeGuard(CODE_CHALLENGES, deps),

    mfaGet: (ctx: Context): void => showForm(ctx, 200, []),

    mfaPost: async (ctx: Context): Promise<void> => {
      const challenge = pendingChallenge(ctx);
      const { code, error } = parseCode(ctx.state.form?.code);
      const remember = ctx.state.form?.remember === 'on';
      if (error) return showForm(ctx, 400, [error], remember);
      let result;
      try {
        // A decoy step (a way Cognito did not offer): no code was sent, none is right, Cognito is not asked.
        if (challenge.decoy) throw new AuthError('CODE_MISMATCH', 'CodeMismatchException');
        result = await cognito.respondToChallenge(challenge.name, challenge.session, challenge.username, {
          [CODE_FIELD[challenge.name]!]: code,
        });
      } catch (err) {
        const shown = answerError(ctx, deps, err, 'code');
        return shown ? showForm(ctx, 400, [shown], remember) : undefined;
      }
      // The second factor was just proved: the user's word (or REMEMBER_DEVICES=always) may trust this browser.
      const trust = !challenge.firstFactor && (remember || deps.config.signIn.rememberDevices === 'always');
      return continueSignIn(ctx, deps, result, { ...challenge, rememberDevice: trust });
    },
  };
}
