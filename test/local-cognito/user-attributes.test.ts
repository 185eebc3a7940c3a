// The emulator's UpdateUserAttributes, GetUserAttributeVerificationCode and VerifyUserAttribute, with Cognito's errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  InitiateAuthCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { LocalCognito, LocalPoolInfo } from '../../src/local-cognito/index.ts';
import { failure, fakeClock, hashFor, startSeededEmulator, stopSeededEmulator } from './helpers.ts';

describe('local cognito: the user’s own attributes', () => {
  const clock = fakeClock();
  let emu: LocalCognito;
  let cognito: CognitoIdentityProviderClient;
  let pool: LocalPoolInfo;
  let accessToken: string;

  before(async () => {
    ({ emu, cognito, pool } = await startSeededEmulator(clock));
    const { email, password } = pool.demoUser;
    const out = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: pool.clientId,
        AuthParameters: {
          USERNAME: email,
          PASSWORD: password,
          SECRET_HASH: hashFor(pool.clientSecret, email, pool.clientId),
        },
      }),
    );
    accessToken = out.AuthenticationResult!.AccessToken!;
  });
  after(() => stopSeededEmulator({ emu, cognito, pool }));

  const update = (attributes: Record<string, string>) =>
    cognito.send(
      new UpdateUserAttributesCommand({
        AccessToken: accessToken,
        UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
      }),
    );
  const attributesNow = async () =>
    Object.fromEntries(
      ((await cognito.send(new GetUserCommand({ AccessToken: accessToken }))).UserAttributes ?? []).map(
        (a) => [a.Name!, a.Value],
      ),
    );
  const codeTo = (to: string, kind: string) =>
    emu
      .messages()
      .filter((m) => m.to === to && m.kind === kind)
      .at(-1)!.code;

  it('refuses what a user may not write, and values in the wrong shape, changing nothing', async () => {
    assert.deepEqual(await failure(update({ email_verified: 'true' })), {
      name: 'NotAuthorizedException',
      message: 'A client attempted to write unauthorized attribute',
    });
    assert.equal((await failure(update({ sub: 'x' }))).name, 'InvalidParameterException');
    assert.equal((await failure(update({ phone_number: '0770 090' }))).name, 'InvalidParameterException');
    assert.equal((await failure(update({ email: 'nope' }))).name, 'InvalidParameterException');
    assert.equal((await attributesNow()).phone_number, undefined);
  });

  it('a new phone number: unverified, a code by text message; a wrong code refused, the right one verifies', async () => {
    const out = await update({ phone_number: '+447700900123', name: 'Renamed' });
    assert.deepEqual(out.CodeDeliveryDetailsList, [
      { Destination: '+********0123', DeliveryMedium: 'SMS', AttributeName: 'phone_number' },
    ]);
    const now = await attributesNow();
    assert.equal(now.phone_number_verified, 'false');
    assert.equal(now.name, 'Renamed', 'other attributes change without a code');
    const verify = (Code: string) =>
      cognito.send(
        new VerifyUserAttributeCommand({ AccessToken: accessToken, AttributeName: 'phone_number', Code }),
      );
    assert.equal((await failure(verify('000000'))).name, 'CodeMismatchException');
    await verify(codeTo('+447700900123', 'VERIFY_PHONE_NUMBER'));
    assert.equal((await attributesNow()).phone_number_verified, 'true');
    assert.equal(
      (await failure(verify(codeTo('+447700900123', 'VERIFY_PHONE_NUMBER')))).name,
      'CodeMismatchException',
      'once',
    );
  });

  it('a code asked again expires after 24 hours; only email and phone_number can be verified', async () => {
    const send = (AttributeName: string) =>
      cognito.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: accessToken, AttributeName }));
    assert.equal((await send('email')).CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
    const code = codeTo(pool.demoUser.email, 'VERIFY_EMAIL');
    clock.advance(24 * 60 * 60 * 1000 + 1);
    // The access token has expired meanwhile too: take a fresh one.
    const fresh = await cognito.send(
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
    accessToken = fresh.AuthenticationResult!.AccessToken!;
    const late = await failure(
      cognito.send(
        new VerifyUserAttributeCommand({ AccessToken: accessToken, AttributeName: 'email', Code: code }),
      ),
    );
    assert.equal(late.name, 'ExpiredCodeException');
    assert.equal((await failure(send('name'))).name, 'InvalidParameterException');
  });
});
