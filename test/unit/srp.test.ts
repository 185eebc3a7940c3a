// The sign-in's SRP against an implementation nobody here wrote (cognito-srp-helper): for the same secrets, the same
// A, the same claim signatures, password and device; Cognito's TIMESTAMP; and a proof the emulator's side accepts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createSrpSession, signSrpSession, signSrpSessionWithDevice } from 'cognito-srp-helper';
import { deviceExchange, newDeviceVerifier, passwordExchange } from '../../src/cognito/srp.ts';
import { expectedSignature, makeVerifier, startExchange } from '../../src/local-cognito/srp.ts';
import { srpPoolName, srpTimestamp } from '../../src/srp-math.ts';

const POOL = 'eu-west-1_AbC123xyz';
const USER_ID = '7d3c1a2e-9b8f-4e6d-a5c4-3b2a1f0e9d8c';
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** The helper's TIMESTAMP back as the moment it names, so both clients sign the same text. */
function momentOf(timestamp: string): Date {
  const m = /^\w{3} (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})$/.exec(timestamp)!;
  return new Date(
    Date.UTC(Number(m[6]), MONTHS.indexOf(m[1]!), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])),
  );
}

/** A server's PASSWORD_VERIFIER parameters for `verifier`, and the exchange behind them. */
function challengeFor(verifier: { salt: string; verifier: string }, srpA: string) {
  const exchange = startExchange(verifier.verifier, srpA)!;
  const secretBlock = randomBytes(64).toString('base64');
  return {
    exchange,
    secretBlock,
    parameters: {
      SALT: verifier.salt,
      SRP_B: exchange.B,
      SECRET_BLOCK: secretBlock,
      USERNAME: USER_ID,
      USER_ID_FOR_SRP: USER_ID,
    },
  };
}

test("TIMESTAMP is Cognito's: English names, UTC, the day not zero-padded", () => {
  assert.equal(srpTimestamp(new Date('2026-01-05T03:04:05Z')), 'Mon Jan 5 03:04:05 UTC 2026');
  assert.equal(srpTimestamp(new Date('2026-12-24T23:59:09Z')), 'Thu Dec 24 23:59:09 UTC 2026');
});

test("the password claim equals cognito-srp-helper's for the same secret a, salt, B and time", () => {
  const helper = createSrpSession('jane@example.com', 'Correct-horse-1', POOL, false);
  const ours = passwordExchange('Correct-horse-1', POOL, {
    a: BigInt(`0x${helper.smallA}`),
    now: () => momentOf(helper.timestamp),
  });
  assert.equal(BigInt(`0x${ours.srpA}`), BigInt(`0x${helper.largeA}`), 'the same A');
  const { parameters } = challengeFor(makeVerifier(srpPoolName(POOL), USER_ID, 'Correct-horse-1'), ours.srpA);
  const theirs = signSrpSession(helper, { ChallengeParameters: parameters });
  const proof = ours.prove(parameters);
  assert.equal(proof.PASSWORD_CLAIM_SIGNATURE, theirs.passwordSignature);
  assert.equal(proof.TIMESTAMP, theirs.timestamp);
  assert.equal(proof.PASSWORD_CLAIM_SECRET_BLOCK, parameters.SECRET_BLOCK);
});

test("the device claim equals cognito-srp-helper's, and our device verifier proves what it was made from", () => {
  const secrets = {
    key: 'eu-west-1_2f0e9d8c-aaaa-4bbb-8ccc-123456789abc',
    groupKey: '-AbCdEfGhI',
    password: '',
  };
  const made = newDeviceVerifier(secrets.key, secrets.groupKey);
  secrets.password = made.password;
  const verifier = {
    salt: Buffer.from(made.salt, 'base64').toString('hex'),
    verifier: Buffer.from(made.verifier, 'base64').toString('hex'),
  };
  const helper = createSrpSession(secrets.key, secrets.password, POOL, false);
  const ours = deviceExchange(secrets, {
    a: BigInt(`0x${helper.smallA}`),
    now: () => momentOf(helper.timestamp),
  });
  const { exchange, secretBlock, parameters } = challengeFor(verifier, ours.srpA);
  const device = { ...parameters, DEVICE_KEY: secrets.key };
  const theirs = signSrpSessionWithDevice(
    helper,
    { ChallengeParameters: device },
    secrets.groupKey,
    secrets.password,
  );
  const proof = ours.prove(device);
  assert.equal(proof.PASSWORD_CLAIM_SIGNATURE, theirs.passwordSignature);
  const expected = expectedSignature(
    exchange,
    verifier.verifier,
    secrets.groupKey,
    secrets.key,
    secretBlock,
    proof.TIMESTAMP,
  );
  assert.equal(proof.PASSWORD_CLAIM_SIGNATURE, expected, "the emulator's side accepts it");
});

test('a wrong password makes a claim the server refuses; a fresh a every time', () => {
  const verifier = makeVerifier(srpPoolName(POOL), USER_ID, 'Correct-horse-1');
  const right = passwordExchange('Correct-horse-1', POOL);
  const wrong = passwordExchange('Correct-horse-2', POOL);
  assert.notEqual(right.srpA, wrong.srpA);
  for (const [exchange, ok] of [
    [right, true],
    [wrong, false],
  ] as const) {
    const { exchange: server, secretBlock, parameters } = challengeFor(verifier, exchange.srpA);
    const proof = exchange.prove(parameters);
    const expected = expectedSignature(
      server,
      verifier.verifier,
      srpPoolName(POOL),
      USER_ID,
      secretBlock,
      proof.TIMESTAMP,
    );
    assert.equal(proof.PASSWORD_CLAIM_SIGNATURE === expected, ok);
  }
});

test('challenge values SRP cannot use stop the sign-in as an unexpected answer', () => {
  const ours = passwordExchange('Correct-horse-1', POOL);
  const good = { SALT: 'ab12', SRP_B: 'cd'.repeat(384), SECRET_BLOCK: 'c2VjcmV0', USER_ID_FOR_SRP: USER_ID };
  for (const bad of [
    { SRP_B: '0' },
    { SRP_B: 'zz' },
    { SALT: 'not hex' },
    { SECRET_BLOCK: '<script>' },
    { USER_ID_FOR_SRP: '' },
  ]) {
    assert.throws(
      () => ours.prove({ ...good, ...bad, ...(bad.USER_ID_FOR_SRP === '' ? { USERNAME: '' } : {}) }),
      {
        name: 'AuthError',
        code: 'UNEXPECTED_RESPONSE',
      },
    );
  }
});
