// The request limits on every form that makes Cognito work: per client address and per account, by route group,
// checked before the handler (and so before Cognito) runs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Router } from '@koa/router';
import type { Context, Middleware } from 'koa';
import { HttpError } from '../../src/http-error.ts';
import { paths } from '../../src/paths.ts';
import {
  limitRoutes,
  RATE_LIMITED_ROUTES,
  type RateLimitSettings,
} from '../../src/rate-limit/auth-rate-limit.ts';
import { MEMORY_LIMITS } from '../../src/rate-limit/limiter-backend.ts';

const IP = '192.0.2.10';
const OTHER_IP = '198.51.100.7';

interface Request {
  ip?: string;
  form?: Record<string, string>;
  session?: Record<string, unknown>;
}

/** The limits on a fresh router; `post(path, request)` runs one POST through its route's limit. */
function limits(settings: Partial<RateLimitSettings> = {}) {
  const router = new Router();
  limitRoutes(router, { windowSeconds: 60, perIp: 100, perAccount: 100, ...settings }, MEMORY_LIMITS);
  const limitOf = (path: string): Middleware => {
    const layer = router.stack.find((l) => l.path === path && l.methods.includes('POST'));
    assert.ok(layer, `a POST limit on ${path}`);
    return layer.stack[0] as Middleware;
  };
  /** Passed: true; refused: the HttpError (429). */
  const post = async (path: string, { ip = IP, form = {}, session = {} }: Request = {}) => {
    let passed = false;
    const ctx = { ip, state: { form }, session } as unknown as Context;
    try {
      await limitOf(path)(ctx, () => {
        passed = true;
        return Promise.resolve();
      });
    } catch (err) {
      assert.ok(err instanceof HttpError, String(err));
      assert.equal(passed, false, 'refused before the handler');
      return err;
    }
    assert.ok(passed, 'the handler ran');
    return true;
  };
  return { router, post };
}

async function passes(
  post: ReturnType<typeof limits>['post'],
  n: number,
  path: string,
  request: Request = {},
) {
  let count = 0;
  for (let i = 0; i < n; i++) if ((await post(path, request)) === true) count++;
  return count;
}

test('every form that reaches Cognito has a POST limit, and nothing else', () => {
  const { router } = limits();
  const expected = [
    paths.login,
    paths.mfa,
    paths.mfaSelect,
    paths.mfaSetup,
    paths.newPassword,
    paths.accountMfaVerify,
    paths.accountPassword,
    paths.accountDelete,
    paths.accountDevicesForget,
    paths.accountPasskeysAdd,
    paths.accountPasskeysDelete,
    paths.loginChoose,
    paths.loginPasskey,
    paths.accountProfile,
    paths.accountVerify,
    paths.accountVerifySend,
    paths.signup,
    paths.confirm,
    paths.confirmResend,
    paths.forgotPassword,
    paths.resetPassword,
  ];
  assert.deepEqual(Object.keys(RATE_LIMITED_ROUTES).sort(), [...expected].sort());
  assert.deepEqual(router.stack.map((l) => l.path).sort(), [...expected].sort());
  for (const layer of router.stack) assert.deepEqual(layer.methods, ['POST'], String(layer.path));
});

describe('per client address', () => {
  test('perIp requests per window, then a 429 with Retry-After, before the handler', async () => {
    const { post } = limits({ perIp: 3, windowSeconds: 30 });
    assert.equal(await passes(post, 3, paths.forgotPassword), 3);
    const refused = await post(paths.forgotPassword);
    assert.ok(refused instanceof HttpError);
    assert.equal(refused.status, 429);
    assert.ok(
      refused.retryAfterSeconds! >= 1 && refused.retryAfterSeconds! <= 30,
      `Retry-After ${refused.retryAfterSeconds}`,
    );
    assert.equal(await post(paths.forgotPassword, { ip: OTHER_IP }), true, 'another address');
  });

  test('Retry-After is at least a second, even when the window ends sooner', async () => {
    const { post } = limits({ perIp: 1, windowSeconds: 1 });
    await post(paths.signup);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await post(paths.signup);
    assert.ok(refused instanceof HttpError);
    assert.equal(refused.retryAfterSeconds, 1);
  });

  test('sign-in and its MFA steps share one allowance; sign-up and recovery have their own', async () => {
    const { post } = limits({ perIp: 2 });
    assert.equal(await post(paths.login), true);
    assert.equal(await post(paths.mfa), true);
    assert.ok((await post(paths.newPassword)) instanceof HttpError, 'the sign-in group is spent');
    assert.equal(await post(paths.signup), true, 'sign-up counts apart');
    assert.equal(await post(paths.forgotPassword), true, 'recovery counts apart');
  });

  test('an IPv6 client counts by its /64', async () => {
    const { post } = limits({ perIp: 2 });
    assert.equal(await post(paths.login, { ip: '2001:db8:1:2::1' }), true);
    assert.equal(await post(paths.login, { ip: '2001:db8:1:2:aaaa::2' }), true);
    assert.ok((await post(paths.login, { ip: '2001:db8:1:2::3' })) instanceof HttpError);
    assert.equal(await post(paths.login, { ip: '2001:db8:1:3::1' }), true);
  });
});

describe('per account', () => {
  test('sign-in: the account from this address only, so nobody can spend the owner’s allowance', async () => {
    const { post } = limits({ perAccount: 2 });
    const jane = { form: { username: 'jane@example.com' } };
    assert.equal(await passes(post, 2, paths.login, jane), 2);
    assert.ok((await post(paths.login, jane)) instanceof HttpError);
    assert.equal(await post(paths.login, { ...jane, ip: OTHER_IP }), true, 'the owner elsewhere');
    assert.equal(await post(paths.login, { form: { username: 'john' } }), true, 'another account here');
  });

  test('the account is trimmed and lower-cased, as Cognito compares names', async () => {
    const { post } = limits({ perAccount: 2 });
    assert.equal(await post(paths.login, { form: { username: 'Jane@Example.com' } }), true);
    assert.equal(await post(paths.login, { form: { username: ' jane@example.com  ' } }), true);
    assert.ok((await post(paths.login, { form: { username: 'JANE@EXAMPLE.COM' } })) instanceof HttpError);
  });

  test('sign-up and recovery: one allowance per account, wherever the requests come from', async () => {
    const { post } = limits({ perAccount: 2 });
    const ada = { form: { email: 'ada@example.com' } };
    assert.equal(await post(paths.signup, ada), true);
    assert.equal(await post(paths.signup, { ...ada, ip: OTHER_IP }), true);
    assert.ok((await post(paths.signup, { ...ada, ip: '203.0.113.1' })) instanceof HttpError);
    assert.equal(await post(paths.forgotPassword, ada), true);
    assert.equal(await post(paths.forgotPassword, { ...ada, ip: OTHER_IP }), true);
    assert.ok((await post(paths.forgotPassword, { ...ada, ip: '203.0.113.1' })) instanceof HttpError);
  });

  test('without a known account only the address is counted', async () => {
    const { post } = limits({ perAccount: 1 });
    assert.equal(await passes(post, 3, paths.login), 3);
    assert.equal(await passes(post, 3, paths.login, { form: { username: '' } }), 3);
    assert.equal(await passes(post, 3, paths.mfa, { session: {} }), 3);
  });

  test('each route counts the account it acts for: typed, or kept in the session', async () => {
    const challenge = (username: string): Request => ({ session: { challenge: { username } } });
    const cases: [string, (name: string) => Request][] = [
      [paths.login, (username) => ({ form: { username } })],
      [paths.mfa, challenge],
      [paths.mfaSelect, challenge],
      [paths.mfaSetup, challenge],
      [paths.newPassword, challenge],
      [paths.accountMfaVerify, (username) => ({ session: { auth: { username } } })],
      [paths.signup, (email) => ({ form: { email } })],
      [paths.confirm, (username) => ({ session: { pendingSignUp: { username } } })],
      [paths.confirm, (email) => ({ form: { email } })],
      [paths.confirmResend, (username) => ({ session: { pendingSignUp: { username } } })],
      [paths.forgotPassword, (email) => ({ form: { email } })],
      [paths.resetPassword, (username) => ({ session: { pendingReset: { username } } })],
    ];
    for (const [path, as] of cases) {
      const { post } = limits({ perAccount: 1 });
      assert.equal(await post(path, as('ada')), true, path);
      assert.ok((await post(path, as('ada'))) instanceof HttpError, `${path}: ada's allowance is spent`);
      assert.equal(await post(path, as('bob')), true, `${path}: bob's is not`);
    }
  });

  test('a pending sign-up counts its own name over a typed email', async () => {
    const { post } = limits({ perAccount: 1 });
    const pending = { session: { pendingSignUp: { username: 'kept' } }, form: { email: 'typed' } };
    assert.equal(await post(paths.confirm, pending), true);
    assert.equal(
      await post(paths.confirm, { form: { email: 'typed' } }),
      true,
      'the typed email was not counted',
    );
    assert.ok((await post(paths.confirm, pending)) instanceof HttpError);
  });

  test('either limit spent refuses; the wait is the longer one', async () => {
    const { post } = limits({ perIp: 2, perAccount: 100, windowSeconds: 50 });
    await passes(post, 2, paths.signup, { form: { email: 'a@example.com' } });
    const refused = await post(paths.signup, { form: { email: 'b@example.com' } });
    assert.ok(refused instanceof HttpError);
    assert.ok(refused.retryAfterSeconds! > 40, `Retry-After ${refused.retryAfterSeconds}`);
  });
});
