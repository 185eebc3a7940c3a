// A fresh check of a signed-in user's password, as a sign-in: counted by the sign-in throttle, refused while the
// account is locked, and the extra sign-in it makes ended at once.
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import type { SignInResult } from '../../cognito/gateway.ts';
import { fieldError, formError, type FieldError } from '../../field-errors.ts';
import { settleRefusedSignIn } from '../../rate-limit/login-throttle.ts';
import { currentAuth } from '../../session/auth-session.ts';
import type { FlowDeps } from '../types.ts';

/** Right: what Cognito answered (tokens, or the second step it asks for). Wrong or refused: the error to show. */
export type PasswordCheck = { ok: true; result: SignInResult } | { ok: false; error: FieldError };

/** Checks `password` (from the form field `field`) for the signed-in user of `ctx`. */
export async function checkCurrentPassword(
  ctx: Context,
  deps: Pick<FlowDeps, 'cognito' | 'loginThrottle'>,
  password: string,
  field = 'password',
): Promise<PasswordCheck> {
  const { cognito, loginThrottle } = deps;
  if (password === '') return { ok: false, error: fieldError(field, 'login.passwordMissing') };
  const auth = currentAuth(ctx)!;
  const username = auth.email ?? auth.username;
  // Counted before Cognito is asked, as at sign-in, and taken back when the password was right.
  if ((await loginThrottle.begin(username, ctx.ip)) > 0) {
    return { ok: false, error: formError('errors.ACCOUNT_LOCKED') };
  }
  let result: SignInResult;
  try {
    result = await cognito.signInWithPassword(username, password);
    if (result.kind === 'tokens' && result.tokens.refreshToken) {
      // Only the check mattered: end the extra sign-in at once.
      await cognito.revokeRefreshToken(result.tokens.refreshToken).catch(() => undefined);
    }
  } catch (err) {
    await settleRefusedSignIn(loginThrottle, username, ctx.ip, err);
    if (!(err instanceof AuthError)) throw err;
    if (err.code === 'INVALID_CREDENTIALS')
      return { ok: false, error: fieldError(field, 'errors.INVALID_CREDENTIALS') };
    if (err.code === 'ACCOUNT_LOCKED' || err.code === 'TOO_MANY_ATTEMPTS') {
      return { ok: false, error: formError('errors.ACCOUNT_LOCKED') };
    }
    throw err;
  }
  await loginThrottle.succeeded(username, ctx.ip);
  return { ok: true, result };
}
