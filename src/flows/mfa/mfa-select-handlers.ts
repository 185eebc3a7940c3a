// /mfa/select: SELECT_MFA_TYPE, when the user has several methods and no preferred one.
import type { Context } from 'koa';
import { challengeGuard, pendingChallenge, secondsLeft } from '../challenge/challenge-guard.ts';
import { answerError } from '../challenge/answer-errors.ts';
import { continueSignIn } from '../challenge/continue-sign-in.ts';
import { byField, fieldError, type FieldError } from '../../field-errors.ts';
import type { FlowDeps } from '../types.ts';
import { codeRefusalError, CODE_REFUSED_STATUS, mfaDestination } from '../code-limits.ts';
import { CODE_CHALLENGES } from './mfa-code-handlers.ts';

/** The methods Cognito offers (`MFAS_CAN_CHOOSE`, a JSON array), limited to those we have a page for. */
function choices(parameters: Record<string, string>): string[] {
  try {
    const parsed: unknown = JSON.parse(parameters.MFAS_CAN_CHOOSE ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((m): m is string => (CODE_CHALLENGES as readonly unknown[]).includes(m));
  } catch {
    return [];
  }
}

export function mfaSelectHandlers(deps: FlowDeps) {
  const { cognito, renderer, clock, codeLimits } = deps;

  function showForm(ctx: Context, status: number, errors: FieldError[]): void {
    const challenge = pendingChallenge(ctx);
    ctx.status = status;
    renderer.render(ctx, 'pages/mfa-select.njk', {
      methods: choices(challenge.parameters),
      secondsLeft: secondsLeft(challenge, clock()),
      errors,
      fieldErrors: byField(errors),
    });
  }

  return {
    guard: challengeGuard(['SELECT_MFA_TYPE'], deps),

    selectGet: (ctx: Context): void => showForm(ctx, 200, []),

    selectPost: async (ctx: Context): Promise<void> => {
      const challenge = pendingChallenge(ctx);
      const method = ctx.state.form?.method ?? '';
      if (!choices(challenge.parameters).includes(method)) {
        return showForm(ctx, 400, [fieldError('method', 'mfaSelect.missing')]);
      }
      let release: (() => Promise<void>) | undefined;
      if (method !== 'SOFTWARE_TOKEN_MFA') {
        // Choosing a text message or email makes Cognito send a code to the account's phone or address: claimed
        // first from the limits per destination (the account stands for it) and client address.
        const claim = await codeLimits.claimSend(ctx.ip, 'mfa', mfaDestination(challenge.username));
        if (claim.refused) return showForm(ctx, CODE_REFUSED_STATUS, [codeRefusalError(ctx, claim.refused)]);
        release = claim.release;
      }
      let result;
      try {
        result = await cognito.respondToChallenge(challenge.name, challenge.session, challenge.username, {
          ANSWER: method,
        });
      } catch (err) {
        await release?.();
        const shown = answerError(ctx, deps, err, 'method');
        return shown ? showForm(ctx, 400, [shown]) : undefined;
      }
      return continueSignIn(ctx, deps, result, challenge);
    },
  };
}
