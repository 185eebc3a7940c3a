// /new-password: NEW_PASSWORD_REQUIRED for users created by an admin, plus any required attributes still missing.
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import { paths } from '../../paths.ts';
import { policyRules } from '../../password-policy.ts';
import { challengeGuard, pendingChallenge, secondsLeft } from '../challenge/challenge-guard.ts';
import { answerError } from '../challenge/answer-errors.ts';
import { continueSignIn } from '../challenge/continue-sign-in.ts';
import { byField, fieldError, type FieldError } from '../../field-errors.ts';
import { checkNewPassword, newPasswordRefusal } from '../new-password-field.ts';
import { fieldName, fieldView } from '../signup/signup-form.ts';
import type { FlowDeps } from '../types.ts';

/** `requiredAttributes` is a JSON array such as `["userAttributes.name"]`; we ask for those by attribute name. */
function requiredAttributes(parameters: Record<string, string>): string[] {
  try {
    const parsed: unknown = JSON.parse(parameters.requiredAttributes ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter((a): a is string => typeof a === 'string')
      .map((a) => a.replace(/^userAttributes\./, ''))
      .filter((a) => /^(custom:)?[A-Za-z0-9_]+$/.test(a));
  } catch {
    return [];
  }
}

export function newPasswordRoutes(router: Router, deps: FlowDeps): void {
  const { cognito, renderer, clock, passwordPolicy } = deps;
  const guard = challengeGuard(['NEW_PASSWORD_REQUIRED'], deps);

  function showForm(
    ctx: Context,
    status: number,
    values: Record<string, string>,
    errors: FieldError[],
  ): void {
    const challenge = pendingChallenge(ctx);
    ctx.status = status;
    renderer.render(ctx, 'pages/new-password.njk', {
      fields: requiredAttributes(challenge.parameters).map((a) =>
        fieldView({ attribute: a, required: true }, values[fieldName(a)] ?? ''),
      ),
      passwordRules: policyRules(passwordPolicy),
      secondsLeft: secondsLeft(challenge, clock()),
      errors,
      fieldErrors: byField(errors),
    });
  }

  router.get(paths.newPassword, guard, (ctx: Context) => showForm(ctx, 200, {}, []));

  router.post(paths.newPassword, guard, async (ctx: Context) => {
    const challenge = pendingChallenge(ctx);
    const form = ctx.state.form ?? {};
    const password = form.newPassword ?? '';
    const values: Record<string, string> = {};
    const responses: Record<string, string> = { NEW_PASSWORD: password };
    const errors: FieldError[] = [];
    for (const attribute of requiredAttributes(challenge.parameters)) {
      const name = fieldName(attribute);
      const value = (form[name] ?? '').trim();
      values[name] = value;
      if (value === '')
        errors.push({
          ...fieldError(name, 'signup.fieldMissing'),
          label: fieldView({ attribute, required: true }, '').label,
        });
      responses[`userAttributes.${attribute}`] = value;
    }
    const passwordError = checkNewPassword(password, passwordPolicy, 'newPassword');
    if (passwordError) errors.unshift(passwordError);
    if (errors.length > 0) return showForm(ctx, 400, values, errors);
    let result;
    try {
      result = await cognito.respondToChallenge(
        challenge.name,
        challenge.session,
        challenge.username,
        responses,
      );
    } catch (err) {
      const refused =
        err instanceof AuthError ? newPasswordRefusal(err, 'newPassword', passwordPolicy) : undefined;
      if (refused) return showForm(ctx, 400, values, [refused]);
      if (err instanceof AuthError && err.code === 'INVALID_PARAMETER') {
        return showForm(ctx, 400, values, [fieldError('newPassword', 'errors.INVALID_PARAMETER')]);
      }
      const shown = answerError(ctx, deps, err, 'newPassword');
      return shown ? showForm(ctx, 400, values, [shown]) : undefined;
    }
    return continueSignIn(ctx, deps, result, challenge);
  });
}
