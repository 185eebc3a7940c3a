import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChallengeNameType } from '@aws-sdk/client-cognito-identity-provider';
import { CHALLENGE_PAGES, pageForChallenge } from '../../src/flows/challenge/challenge-table.ts';
import { paths } from '../../src/paths.ts';

test('every challenge name in the SDK has a page or an explicit fail-closed entry', () => {
  for (const name of Object.values(ChallengeNameType)) {
    assert.ok(
      Object.prototype.hasOwnProperty.call(CHALLENGE_PAGES, name),
      `${name} is not in CHALLENGE_PAGES`,
    );
  }
});

test('the challenges this product answers go to their pages', () => {
  assert.equal(pageForChallenge('NEW_PASSWORD_REQUIRED'), paths.newPassword);
  assert.equal(pageForChallenge('SOFTWARE_TOKEN_MFA'), paths.mfa);
  assert.equal(pageForChallenge('SMS_MFA'), paths.mfa);
  assert.equal(pageForChallenge('EMAIL_OTP'), paths.mfa);
  assert.equal(pageForChallenge('SELECT_MFA_TYPE'), paths.mfaSelect);
  assert.equal(pageForChallenge('MFA_SETUP'), paths.mfaSetup);
});

test('unknown and unsupported challenges fail closed', () => {
  for (const name of [
    'CUSTOM_CHALLENGE',
    'DEVICE_SRP_AUTH',
    'PASSWORD_SRP',
    'SOMETHING_NEW',
    '__proto__',
    'toString',
  ]) {
    assert.equal(pageForChallenge(name), undefined, name);
  }
});
