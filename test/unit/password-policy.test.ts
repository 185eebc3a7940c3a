import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brokenRules, DEFAULT_PASSWORD_POLICY, ruleFromCognitoMessage } from '../../src/password-policy.ts';

const names = (password: string) => brokenRules(password, DEFAULT_PASSWORD_POLICY).map((r) => r.message);

test('a password meeting the default policy breaks no rule', () => {
  assert.deepEqual(names('Sunny-day-42'), []);
  assert.deepEqual(names('Pass word 1'), [], 'a space counts as a symbol');
});

test('each missing class is named, in the order of the hint', () => {
  assert.deepEqual(names('abc'), [
    'password.rule.minLength',
    'password.rule.uppercase',
    'password.rule.number',
    'password.rule.symbol',
  ]);
  assert.deepEqual(names('ABCDEFGH1!'), ['password.rule.lowercase']);
});

test('length counts characters, not UTF-16 units', () => {
  const policy = {
    ...DEFAULT_PASSWORD_POLICY,
    minimumLength: 4,
    requireSymbols: false,
    requireNumbers: false,
  };
  assert.deepEqual(
    brokenRules('Aa😀', policy).map((r) => r.message),
    ['password.rule.minLength'],
  );
});

test("Cognito's InvalidPasswordException messages map to our rules", () => {
  const rule = (m: string) => ruleFromCognitoMessage(m, DEFAULT_PASSWORD_POLICY)?.message;
  assert.equal(
    rule('Password did not conform with policy: Password not long enough'),
    'password.rule.minLength',
  );
  assert.equal(
    rule('Password did not conform with policy: Password must have uppercase characters'),
    'password.rule.uppercase',
  );
  assert.equal(
    rule('Password did not conform with policy: Password must have lowercase characters'),
    'password.rule.lowercase',
  );
  assert.equal(
    rule('Password did not conform with policy: Password must have numeric characters'),
    'password.rule.number',
  );
  assert.equal(
    rule('Password did not conform with policy: Password must have symbol characters'),
    'password.rule.symbol',
  );
  assert.equal(rule('something else'), undefined);
});
