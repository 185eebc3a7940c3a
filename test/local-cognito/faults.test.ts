// Fault injection (/_local/faults, setFault/clearFaults): delays, named errors, throttling, replaced bodies,
// broken answers, through the real AWS SDK.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  InternalErrorException,
  NotAuthorizedException,
  TooManyRequestsException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  FaultInputError,
  startLocalCognito,
  type FaultSpec,
  type LocalCognito,
  type LocalPoolInfo,
} from '../../src/local-cognito/index.ts';
import { hashFor, sdkClient } from './helpers.ts';

/** The rejection of `promise` (fails when it resolves). */
async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

describe('local cognito: fault injection', () => {
  let emu: LocalCognito;
  let cognito: CognitoIdentityProviderClient;
  let pool: LocalPoolInfo;

  const signIn = (client = cognito) =>
    client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: pool.clientId,
        AuthParameters: {
          USERNAME: pool.demoUser.email,
          PASSWORD: pool.demoUser.password,
          SECRET_HASH: hashFor(pool.clientSecret, pool.demoUser.email, pool.clientId),
        },
      }),
    );
  const faultsUrl = () => `${emu.endpoint}/_local/faults`;
  const postFault = (fault: unknown) =>
    fetch(faultsUrl(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: typeof fault === 'string' ? fault : JSON.stringify(fault),
    });
  const JSON_BODY = { 'Content-Type': 'application/json' };
  async function setFault(fault: FaultSpec): Promise<unknown> {
    const res = await postFault(fault);
    assert.equal(res.status, 200, await res.clone().text());
    return res.json();
  }

  before(async () => {
    emu = await startLocalCognito({ port: 0 });
    cognito = sdkClient(emu);
    pool = await emu.ensureLocalPool();
  });
  after(async () => {
    cognito.destroy();
    await emu.close();
  });
  afterEach(() => emu.clearFaults());

  it('works normally without faults', async () => {
    const out = await signIn();
    assert.ok(out.AuthenticationResult?.AccessToken);
  });

  it('delays an answer; a short SDK requestTimeout then times out', async () => {
    // The delay far beyond the client's 200 ms, so the gap holds on a busy machine.
    await setFault({ operation: 'InitiateAuth', delayMs: 10_000 });
    const impatient = new CognitoIdentityProviderClient({
      endpoint: emu.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ requestTimeout: 200, throwOnRequestTimeout: true }),
    });
    try {
      const started = performance.now();
      const err = await rejection(signIn(impatient));
      assert.equal(err.name, 'TimeoutError');
      assert.ok(performance.now() - started < 8000, 'the client gave up before the delay ended');
    } finally {
      impatient.destroy();
    }
  });

  it('a delay does not block other requests, then answers normally', async () => {
    const DELAY_MS = 1000;
    await setFault({ operation: 'InitiateAuth', delayMs: DELAY_MS });
    const started = performance.now();
    let slowDone = false;
    const slow = signIn().finally(() => (slowDone = true));
    const fast = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }));
    assert.ok(fast.UserPool?.Id);
    // Order, not a stopwatch: the other call was answered while InitiateAuth was still held back.
    assert.equal(slowDone, false, 'DescribeUserPool answered while InitiateAuth waited');
    const out = await slow;
    assert.ok(performance.now() - started >= DELAY_MS - 10, 'InitiateAuth was held back for the delay');
    assert.ok(out.AuthenticationResult?.AccessToken);
  });

  it('answers a named error as that exception class', async () => {
    await setFault({
      operation: 'InitiateAuth',
      error: 'NotAuthorizedException',
      message: 'Injected refusal.',
    });
    const err = await rejection(signIn());
    assert.ok(err instanceof NotAuthorizedException);
    assert.equal(err.message, 'Injected refusal.');
    assert.equal(err.$metadata?.httpStatusCode, 400);

    await setFault({ operation: 'InitiateAuth', error: 'UserNotFoundException' });
    const defaulted = await rejection(signIn());
    assert.ok(defaulted instanceof UserNotFoundException);
    assert.ok(defaulted.message.length > 0);
  });

  it('InternalErrorException defaults to HTTP 500; status overrides', async () => {
    await setFault({ operation: 'InitiateAuth', error: 'InternalErrorException' });
    const err = await rejection(signIn());
    assert.ok(err instanceof InternalErrorException);
    assert.equal(err.$metadata?.httpStatusCode, 500);

    await setFault({ operation: 'InitiateAuth', error: 'SomethingNewException', status: 503 });
    const other = await rejection(signIn());
    assert.ok(other instanceof CognitoIdentityProviderServiceException);
    assert.equal(other.name, 'SomethingNewException');
    assert.equal(other.$metadata?.httpStatusCode, 503);
  });

  it('sends the error as Cognito does: __type, message and x-amzn-ErrorType', async () => {
    await setFault({ operation: 'SignUp', error: 'CodeDeliveryFailureException', message: 'No SMS today.' });
    const res = await fetch(emu.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'AWSCognitoIdentityProviderService.SignUp',
      },
      body: '{}',
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-amzn-errortype'), 'CodeDeliveryFailureException');
    assert.deepEqual(await res.json(), { __type: 'CodeDeliveryFailureException', message: 'No SMS today.' });
  });

  it('throttle: true is TooManyRequestsException "Rate exceeded"', async () => {
    await setFault({ operation: 'InitiateAuth', throttle: true });
    const err = await rejection(signIn());
    assert.ok(err instanceof TooManyRequestsException);
    assert.equal(err.message, 'Rate exceeded');
    assert.equal(err.$metadata?.httpStatusCode, 400);
  });

  it('times: 1 faults one call, then answers normally and the fault is gone', async () => {
    await setFault({ operation: 'InitiateAuth', throttle: true, times: 1 });
    assert.ok((await rejection(signIn())) instanceof TooManyRequestsException);
    assert.ok((await signIn()).AuthenticationResult?.AccessToken);
    assert.deepEqual(emu.faults(), []);

    await setFault({ operation: 'InitiateAuth', throttle: true, times: 2 });
    assert.ok((await rejection(signIn())) instanceof TooManyRequestsException);
    assert.deepEqual(emu.faults(), [{ operation: 'InitiateAuth', throttle: true, times: 1 }]);
    assert.ok((await rejection(signIn())) instanceof TooManyRequestsException);
    assert.ok((await signIn()).AuthenticationResult?.AccessToken);
  });

  it('response replaces the successful body', async () => {
    await setFault({ operation: 'InitiateAuth', response: {} });
    const empty = await signIn();
    assert.equal(empty.AuthenticationResult, undefined);
    assert.equal(empty.ChallengeName, undefined);

    await setFault({
      operation: 'InitiateAuth',
      response: { ChallengeName: 'SOMETHING_NEW', Session: 'x', ChallengeParameters: {} },
    });
    const unknown = await signIn();
    assert.equal(unknown.ChallengeName, 'SOMETHING_NEW');
    assert.equal(unknown.Session, 'x');
    assert.deepEqual(unknown.ChallengeParameters, {});
  });

  it('status 500 without an error answers a non-JSON "Internal Server Error"', async () => {
    await setFault({ operation: 'InitiateAuth', status: 500 });
    const err = await rejection(signIn());
    assert.equal(err.$metadata?.httpStatusCode, 500);

    const res = await fetch(emu.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth',
      },
      body: '{}',
    });
    assert.equal(res.status, 500);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await res.text(), 'Internal Server Error');
  });

  it('faulted calls are still counted', async () => {
    emu.resetCalls();
    await setFault({ operation: 'InitiateAuth', throttle: true });
    await rejection(signIn());
    await rejection(signIn());
    assert.equal(emu.callCount('InitiateAuth'), 2);
    emu.clearFaults();
    await signIn();
    assert.equal(emu.callCount('InitiateAuth'), 3);
  });

  it('GET lists the faults, one per operation; a new one replaces the old', async () => {
    await setFault({ operation: 'InitiateAuth', throttle: true });
    await setFault({ operation: 'InitiateAuth', delayMs: 10, error: 'NotAuthorizedException' });
    const listed = await setFault({ operation: 'RevokeToken', error: 'UnsupportedOperationException' });
    const expected = {
      faults: [
        { operation: 'InitiateAuth', delayMs: 10, error: 'NotAuthorizedException' },
        { operation: 'RevokeToken', error: 'UnsupportedOperationException' },
      ],
    };
    assert.deepEqual(listed, expected);
    const res = await fetch(faultsUrl());
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), expected);
  });

  it('DELETE clears all faults, or one with ?operation=', async () => {
    await setFault({ operation: 'InitiateAuth', throttle: true });
    await setFault({ operation: 'DescribeUserPool', throttle: true });
    let res = await fetch(`${faultsUrl()}?operation=DescribeUserPool`, {
      method: 'DELETE',
      headers: JSON_BODY,
    });
    assert.deepEqual(await res.json(), { faults: [{ operation: 'InitiateAuth', throttle: true }] });
    assert.ok((await cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }))).UserPool);
    assert.ok((await rejection(signIn())) instanceof TooManyRequestsException);

    res = await fetch(faultsUrl(), { method: 'DELETE', headers: JSON_BODY });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { faults: [] });
    assert.ok((await signIn()).AuthenticationResult?.AccessToken);
  });

  it('the emulator trusts no simple cross-site post: faults change only with Content-Type: application/json', async () => {
    // What any page can send without a CORS preflight: a form or fetch POST as text/plain, urlencoded or multipart.
    const fault = JSON.stringify({ operation: 'InitiateAuth', throttle: true });
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await fetch(faultsUrl(), {
        method: 'POST',
        headers: { 'Content-Type': type },
        body: fault,
      });
      assert.equal(res.status, 415, type);
    }
    const bare = await fetch(faultsUrl(), { method: 'POST', body: new Blob([fault]) });
    assert.equal(bare.status, 415, 'no Content-Type at all');
    assert.deepEqual(emu.faults(), [], 'no fault was set');
    assert.ok((await signIn()).AuthenticationResult?.AccessToken);

    emu.setFault({ operation: 'InitiateAuth', throttle: true });
    emu.resetCalls();
    emu.setFault({ operation: 'DescribeUserPool', throttle: true });
    for (const url of [faultsUrl(), `${emu.endpoint}/_local/calls`]) {
      assert.equal((await fetch(url, { method: 'DELETE' })).status, 415, `DELETE ${url} without JSON`);
    }
    assert.equal(emu.faults().length, 2, 'the faults stayed');
    assert.equal((await fetch(faultsUrl(), { method: 'DELETE', headers: JSON_BODY })).status, 200);
    assert.deepEqual(emu.faults(), []);
    const charset = { 'Content-Type': 'Application/JSON; charset=utf-8' };
    assert.equal(
      (await fetch(`${emu.endpoint}/_local/calls`, { method: 'DELETE', headers: charset })).status,
      200,
    );
    // The Cognito API itself keeps its own content type (the SDK sends application/x-amz-json-1.1).
    assert.ok((await cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }))).UserPool);
  });

  it("'*' faults every operation; an operation's own fault wins", async () => {
    await setFault({ operation: '*', throttle: true });
    await setFault({ operation: 'DescribeUserPool', error: 'ResourceNotFoundException' });
    assert.ok((await rejection(signIn())) instanceof TooManyRequestsException);
    const err = await rejection(cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId })));
    assert.equal(err.name, 'ResourceNotFoundException');
    // The /_local/ helpers are never faulted.
    assert.equal((await fetch(`${emu.endpoint}/_local/health`)).status, 200);
  });

  it('faults hosted-UI endpoints by their callCount name, with OAuth error fields', async () => {
    emu.resetCalls();
    await setFault({ operation: 'oauth2/token', error: 'invalid_grant', message: 'Injected.' });
    const res = await fetch(`${emu.endpoint}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=x',
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      __type: 'invalid_grant',
      message: 'Injected.',
      error: 'invalid_grant',
      error_description: 'Injected.',
    });
    assert.equal(emu.callCount('oauth2/token'), 1);

    await setFault({ operation: 'oauth2/token', status: 502 });
    const broken = await fetch(`${emu.endpoint}/oauth2/token`, { method: 'POST', body: '' });
    assert.equal(broken.status, 502);
    assert.equal(await broken.text(), 'Bad Gateway');
    assert.equal(emu.callCount('oauth2/token'), 2);
  });

  it('refuses malformed faults with a clear JSON error', async () => {
    const cases: [unknown, RegExp][] = [
      ['{ not json', /JSON/],
      [[], /object/],
      [{ operation: 'InitiateAuth', throttle: true, delay: 5 }, /unknown field "delay"/],
      [{ operation: 'InitiateAuthh', throttle: true }, /unknown operation "InitiateAuthh"/],
      [{ throttle: true }, /"operation" is required/],
      [{ operation: 'InitiateAuth' }, /no effect/],
      [{ operation: 'InitiateAuth', delayMs: -1 }, /delayMs/],
      [{ operation: 'InitiateAuth', delayMs: 1.5 }, /delayMs/],
      [{ operation: 'InitiateAuth', throttle: true, times: 0 }, /times/],
      [{ operation: 'InitiateAuth', throttle: 'yes' }, /throttle/],
      [{ operation: 'InitiateAuth', error: 'Bad Name\r\n' }, /"error"/],
      [{ operation: 'InitiateAuth', error: 'X', throttle: true }, /cannot be combined/],
      [{ operation: 'InitiateAuth', error: 'X', response: {} }, /cannot be combined/],
      [{ operation: 'InitiateAuth', response: [] }, /"response" must be a JSON object/],
      [{ operation: 'InitiateAuth', message: 'm', delayMs: 1 }, /"message" needs/],
      [{ operation: 'InitiateAuth', status: 200 }, /status/],
      [{ operation: 'InitiateAuth', error: 'X', status: 99 }, /status/],
    ];
    for (const [body, pattern] of cases) {
      const res = await postFault(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const out = (await res.json()) as { error: string; message: string };
      assert.equal(out.error, 'InvalidFault');
      assert.match(out.message, pattern, JSON.stringify(body));
    }
    assert.deepEqual(emu.faults(), []);
    assert.throws(() => emu.setFault({ operation: 'Nope', throttle: true }), FaultInputError);
  });

  it('setFault/clearFaults work in process', async () => {
    emu.setFault({ operation: 'InitiateAuth', throttle: true });
    emu.setFault({ operation: 'DescribeUserPool', throttle: true });
    assert.ok((await rejection(signIn())) instanceof TooManyRequestsException);
    emu.clearFaults('InitiateAuth');
    assert.ok((await signIn()).AuthenticationResult?.AccessToken);
    emu.clearFaults();
    assert.deepEqual(emu.faults(), []);
  });
});

describe('local cognito: delayed calls and shutdown', () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  /** Polls `check` every 10 ms until it holds; fails after 10 s (a busy machine is slow, not this slow). */
  async function until(check: () => boolean, what: string): Promise<void> {
    for (const deadline = performance.now() + 10_000; !check();) {
      if (performance.now() > deadline) assert.fail(`${what}: not within 10 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  const initiateAuth = (endpoint: string, signal?: AbortSignal) =>
    fetch(endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth',
      },
      body: '{}',
      signal: signal ?? null,
    });

  it('a client that disconnects during a delay neither crashes the emulator nor leaves its timer', async () => {
    const emu = await startLocalCognito({ port: 0 });
    try {
      const before = timers();
      emu.setFault({ operation: 'InitiateAuth', delayMs: 60_000 });
      const aborter = new AbortController();
      const call = initiateAuth(emu.endpoint, aborter.signal);
      // Until the emulator holds the call (its delay timer is running), then disconnect.
      await until(() => timers() > before, 'the call reached the emulator');
      aborter.abort();
      await assert.rejects(call);
      await until(() => timers() <= before, 'the delay timer was cleared');
      emu.clearFaults();
      assert.equal((await fetch(`${emu.endpoint}/_local/health`)).status, 200);
      assert.equal((await initiateAuth(emu.endpoint)).status, 400);
    } finally {
      await emu.close();
    }
  });

  it('close() ends pending delays at once', async () => {
    const emu = await startLocalCognito({ port: 0 });
    emu.setFault({ operation: '*', delayMs: 60_000 });
    const before = timers();
    const call = initiateAuth(emu.endpoint).catch((err: unknown) => err);
    await until(() => timers() > before, 'the call reached the emulator');
    const started = performance.now();
    await emu.close();
    assert.ok(performance.now() - started < 10_000, 'closed without waiting for the 60 s delay');
    assert.ok((await call) instanceof Error, 'the pending call was dropped');
  });
});
