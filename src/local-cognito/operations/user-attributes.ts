// The signed-in user's own attributes: UpdateUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute.
// As Cognito does when the pool keeps no original value pending: a changed email or phone number is in force at
// once, unverified, and a code goes to the new value; the code verifies it.
import { CognitoError, invalidParameter, notAuthorized } from '../errors.ts';
import type { UserRecord } from '../state.ts';
import { checkCode, consumeCode, limitCodeRequests } from './codes.ts';
import {
  findUser,
  getAttr,
  reqString,
  sendCodeTo,
  setAttr,
  usesEmailAsUsername,
  type Input,
  type OpContext,
} from './context.ts';
import { authenticateAccessToken } from './user-tokens.ts';

const VERIFIABLE = ['email', 'phone_number'] as const;
type Verifiable = (typeof VERIFIABLE)[number];
const KIND = { email: 'VERIFY_EMAIL', phone_number: 'VERIFY_PHONE_NUMBER' } as const;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{1,14}$/;
const MAX_VALUE = 2048;

const isVerifiable = (name: string): name is Verifiable => (VERIFIABLE as readonly string[]).includes(name);

function attributes(input: Input): { Name: string; Value: string }[] {
  const list = input.UserAttributes;
  if (!Array.isArray(list) || list.length === 0) throw invalidParameter('UserAttributes must not be empty.');
  return list.map((a: unknown) => {
    const { Name, Value } = (a ?? {}) as { Name?: unknown; Value?: unknown };
    if (typeof Name !== 'string' || Name === '' || typeof Value !== 'string') {
      throw invalidParameter('Each attribute needs a Name and a Value.');
    }
    return { Name, Value };
  });
}

/** Refuses what a user may not write, or a value Cognito would not take. */
function checkWritable(name: string, value: string): void {
  if (name === 'sub') throw invalidParameter('Cannot modify an immutable attribute: sub');
  if (name.endsWith('_verified') || name.startsWith('cognito:')) {
    throw notAuthorized('A client attempted to write unauthorized attribute');
  }
  if (value.length > MAX_VALUE) throw invalidParameter(`Value of attribute ${name} is too long.`);
  if (name === 'email' && !EMAIL.test(value)) throw invalidParameter('Invalid email address format.');
  if (name === 'phone_number' && !E164.test(value)) throw invalidParameter('Invalid phone number format.');
}

export async function updateUserAttributes(ctx: OpContext, input: Input): Promise<object> {
  const { pool, user } = await authenticateAccessToken(ctx, reqString(input, 'AccessToken'));
  const changes = attributes(input);
  for (const { Name, Value } of changes) checkWritable(Name, Value);
  for (const { Name, Value } of changes) {
    if (Name === 'email' && usesEmailAsUsername(pool)) {
      const other = findUser(pool, Value);
      if (other && other !== user) {
        throw new CognitoError('AliasExistsException', 'An account with the given email already exists.');
      }
    }
  }
  const deliveries = [];
  for (const { Name, Value } of changes) {
    const changed = getAttr(user, Name) !== Value;
    setAttr(user, Name, Value);
    if (isVerifiable(Name) && changed) {
      setAttr(user, `${Name}_verified`, 'false');
      deliveries.push(sendCodeTo(ctx, user, KIND[Name], Name));
    }
  }
  user.modifiedAt = ctx.clock();
  return deliveries.length > 0 ? { CodeDeliveryDetailsList: deliveries } : {};
}

function verifiableOf(user: UserRecord, input: Input): Verifiable {
  const name = reqString(input, 'AttributeName');
  if (!isVerifiable(name)) throw invalidParameter(`Attribute ${name} cannot be verified.`);
  if (getAttr(user, name) === undefined) throw invalidParameter(`The user has no ${name}.`);
  return name;
}

export async function getUserAttributeVerificationCode(ctx: OpContext, input: Input): Promise<object> {
  const { user } = await authenticateAccessToken(ctx, reqString(input, 'AccessToken'));
  const name = verifiableOf(user, input);
  limitCodeRequests(ctx, user, 'VERIFY_ATTRIBUTE');
  return { CodeDeliveryDetails: sendCodeTo(ctx, user, KIND[name], name) };
}

export async function verifyUserAttribute(ctx: OpContext, input: Input): Promise<object> {
  const { user } = await authenticateAccessToken(ctx, reqString(input, 'AccessToken'));
  const name = verifiableOf(user, input);
  checkCode(ctx, user, KIND[name], reqString(input, 'Code'));
  consumeCode(user, KIND[name]);
  setAttr(user, `${name}_verified`, 'true');
  user.modifiedAt = ctx.clock();
  return {};
}
