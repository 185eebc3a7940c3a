// Wrong passwords counted before Cognito is asked, in three layers: a few in a row per account from one address,
// more per address, many more per account; successes and outages take their count back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthError } from '../../src/cognito/errors.ts';
import { HttpError } from '../../src/http-error.ts';
import type { RedisClient } from '../../src/redis/redis-client.ts';
import {
  createLoginThrottle,
  DEFAULT_LOGIN_THROTTLE,
  loginThrottleFor,
  loginThrottleOptions,
  settleRefusedSignIn,
  type LoginThrottle,
} from '../../src/rate-limit/login-throttle.ts';

const IP = '192.0.2.10';
const OTHER_IP = '198.51.100.7';

/** How many of `n` attempts `begin` lets through. */
async function allowed(throttle: LoginThrottle, n: number, username: string, ip: string): Promise<number> {
  let passed = 0;
  for (let i = 0; i < n; i++) if ((await throttle.begin(username, ip)) === 0) passed++;
  return passed;
}

describe('the settings', () => {
  test('defaults: 5 in a row per account and address in 15 minutes, 100 a day per address, 1000 per account', () => {
    assert.deepEqual(DEFAULT_LOGIN_THROTTLE, {
      maxFailures: 5,
      windowSeconds: 900,
      maxFailuresPerAddress: 100,
      maxFailuresPerAccount: 1000,
    });
  });

  test('RATE_LIMIT_PER_IP raises the per-address day limit (never below 100), the per-account one ten times', () => {
    const roomy = loginThrottleOptions({ windowSeconds: 60, perIp: 500, perAccount: 5 });
    assert.deepEqual(roomy, {
      ...DEFAULT_LOGIN_THROTTLE,
      maxFailuresPerAddress: 500,
      maxFailuresPerAccount: 5000,
    });
    const small = loginThrottleOptions({ windowSeconds: 60, perIp: 20, perAccount: 5 });
    assert.equal(small.maxFailuresPerAddress, 100);
    assert.equal(small.maxFailuresPerAccount, 1000);
  });

  test('a per-account limit not above the per-address one is refused (one address could lock out an owner)', () => {
    for (const maxFailuresPerAccount of [50, 100]) {
      assert.throws(
        () => createLoginThrottle({ maxFailuresPerAddress: 100, maxFailuresPerAccount }),
        /must exceed maxFailuresPerAddress/,
      );
    }
    assert.doesNotThrow(() =>
      createLoginThrottle({ maxFailuresPerAddress: 100, maxFailuresPerAccount: 101 }),
    );
  });
});

describe('failures in a row, per account and address', () => {
  test('after maxFailures the account is refused from that address, with a wait of at least a second', async () => {
    const throttle = createLoginThrottle({ maxFailures: 3, windowSeconds: 60 });
    assert.equal(await allowed(throttle, 3, 'jane', IP), 3);
    const wait = await throttle.begin('jane', IP);
    assert.ok(wait >= 1000 && wait <= 60_000, `waits ${wait} ms`);
  });

  test('the wait is never under a second, even when the window ends sooner', async () => {
    const throttle = createLoginThrottle({ maxFailures: 1, windowSeconds: 1 });
    await throttle.begin('jane', IP);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await throttle.begin('jane', IP), 1000);
  });

  test('the owner signs in from another address; another account from this address is not held up', async () => {
    const throttle = createLoginThrottle({ maxFailures: 2 });
    await allowed(throttle, 3, 'jane', IP);
    assert.equal(await throttle.begin('jane', OTHER_IP), 0);
    assert.equal(await throttle.begin('john', IP), 0);
  });

  test('the account is counted trimmed and in lower case, as Cognito compares names', async () => {
    const throttle = createLoginThrottle({ maxFailures: 2 });
    assert.equal(await throttle.begin('Jane@Example.com', IP), 0);
    assert.equal(await throttle.begin('  jane@example.com ', IP), 0);
    assert.ok((await throttle.begin('JANE@EXAMPLE.COM', IP)) > 0);
  });

  test('an IPv6 client counts by its /64, an IPv4-mapped one as the IPv4 address', async () => {
    const throttle = createLoginThrottle({ maxFailures: 2 });
    await throttle.begin('jane', '2001:db8:1:2::1');
    await throttle.begin('jane', '2001:db8:1:2:ffff::9');
    assert.ok((await throttle.begin('jane', '2001:db8:1:2::abcd')) > 0, 'the same /64');
    assert.equal(await throttle.begin('jane', '2001:db8:1:3::1'), 0, 'another /64');
    await throttle.begin('john', '::ffff:192.0.2.99');
    await throttle.begin('john', '192.0.2.99');
    assert.ok((await throttle.begin('john', '192.0.2.99')) > 0);
  });

  test('a success clears the account’s failures from that address', async () => {
    const throttle = createLoginThrottle({ maxFailures: 3 });
    await allowed(throttle, 2, 'jane', IP);
    await throttle.succeeded('jane', IP);
    assert.equal(await allowed(throttle, 3, 'jane', IP), 3, 'three more before the limit');
    assert.ok((await throttle.begin('jane', IP)) > 0);
  });

  test('an attempt without a verdict (an outage) is taken back', async () => {
    const throttle = createLoginThrottle({ maxFailures: 2 });
    for (let i = 0; i < 5; i++) {
      assert.equal(await throttle.begin('jane', IP), 0);
      await throttle.undecided('jane', IP);
    }
  });
});

describe('the day limits', () => {
  test('an address failing all day is stopped, whatever names it tries', async () => {
    const throttle = createLoginThrottle({
      maxFailures: 5,
      maxFailuresPerAddress: 4,
      maxFailuresPerAccount: 40,
    });
    assert.equal(await allowed(throttle, 4, 'a', IP), 4);
    assert.ok((await throttle.begin('b', IP)) > 0);
    assert.equal(await throttle.begin('b', OTHER_IP), 0, 'another address is not held up');
  });

  test('the account alone is stopped only past what one address can do', async () => {
    const throttle = createLoginThrottle({
      maxFailures: 100,
      maxFailuresPerAddress: 3,
      maxFailuresPerAccount: 5,
    });
    assert.equal(await allowed(throttle, 3, 'jane', '192.0.2.1'), 3);
    assert.equal(await allowed(throttle, 2, 'jane', '192.0.2.2'), 2);
    assert.ok((await throttle.begin('jane', '192.0.2.3')) > 0, 'the account-wide limit');
    assert.equal(await throttle.begin('john', '192.0.2.3'), 0, 'another account from that address');
  });

  test('a refused attempt leaves nothing counted in the layers it had passed', async () => {
    const throttle = createLoginThrottle({
      maxFailures: 2,
      maxFailuresPerAddress: 2,
      maxFailuresPerAccount: 10,
    });
    assert.equal(await throttle.begin('x', IP), 0);
    assert.equal(await throttle.begin('jane', IP), 0, 'jane: one in a row');
    assert.ok((await throttle.begin('jane', IP)) > 0, 'the address layer refuses');
    // Room again at the address: x's two attempts taken back (outages).
    await throttle.undecided('x', IP);
    await throttle.undecided('x', IP);
    assert.equal(await throttle.begin('jane', IP), 0, 'jane: two in a row, the refused one not among them');
  });

  test('a success gives back its day counts too', async () => {
    const throttle = createLoginThrottle({
      maxFailures: 10,
      maxFailuresPerAddress: 2,
      maxFailuresPerAccount: 3,
    });
    for (let i = 0; i < 5; i++) {
      assert.equal(await throttle.begin('jane', IP), 0, `attempt ${i}`);
      await throttle.succeeded('jane', IP);
    }
  });

  test('a success from one address leaves another address’s failures in a row alone', async () => {
    const throttle = createLoginThrottle({ maxFailures: 2 });
    await allowed(throttle, 2, 'jane', OTHER_IP);
    assert.equal(await throttle.begin('jane', IP), 0);
    await throttle.succeeded('jane', IP);
    assert.ok((await throttle.begin('jane', OTHER_IP)) > 0);
  });
});

describe('settling a refused sign-in', () => {
  /** A throttle that records what it was told. */
  function recording() {
    const calls: string[] = [];
    const throttle: LoginThrottle = {
      begin: () => Promise.resolve(0),
      succeeded: (u, ip) => {
        calls.push(`succeeded ${u} ${ip}`);
        return Promise.resolve();
      },
      undecided: (u, ip) => {
        calls.push(`undecided ${u} ${ip}`);
        return Promise.resolve();
      },
    };
    return { throttle, calls };
  }

  test('a wrong password keeps its count', async () => {
    const { throttle, calls } = recording();
    await settleRefusedSignIn(
      throttle,
      'jane',
      IP,
      new AuthError('INVALID_CREDENTIALS', 'NotAuthorizedException'),
    );
    assert.deepEqual(calls, []);
  });

  test('a right password Cognito stops on (unconfirmed, reset required) counts as a success', async () => {
    for (const code of ['USER_NOT_CONFIRMED', 'PASSWORD_RESET_REQUIRED'] as const) {
      const { throttle, calls } = recording();
      await settleRefusedSignIn(throttle, 'jane', IP, new AuthError(code));
      assert.deepEqual(calls, [`succeeded jane ${IP}`], code);
    }
  });

  test('no verdict (an outage, an unexpected error) takes the count back', async () => {
    for (const err of [
      new AuthError('SERVICE_UNAVAILABLE', 'InternalErrorException'),
      new Error('boom'),
      'odd',
    ]) {
      const { throttle, calls } = recording();
      await settleRefusedSignIn(throttle, 'jane', IP, err);
      assert.deepEqual(calls, [`undecided jane ${IP}`], String(err));
    }
  });
});

describe('a shared store', () => {
  test('a counter store that is down refuses with 503 (fail closed), never lets the attempt through', async () => {
    const down = { status: 'end' } as unknown as RedisClient;
    const throttle = loginThrottleFor(
      { windowSeconds: 60, perIp: 10, perAccount: 10 },
      { kind: 'redis', client: down, keyPrefix: 'test:' },
    );
    await assert.rejects(throttle.begin('jane', IP), (err) => err instanceof HttpError && err.status === 503);
    await assert.rejects(
      throttle.succeeded('jane', IP),
      (err) => err instanceof HttpError && err.status === 503,
    );
    await assert.rejects(
      throttle.undecided('jane', IP),
      (err) => err instanceof HttpError && err.status === 503,
    );
  });
});
