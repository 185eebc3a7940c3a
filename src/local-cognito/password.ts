// Password policy checks with Cognito's messages, and scrypt hashing of stored passwords.
import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { CognitoError, invalidParameter } from './errors.ts';

/** A user pool's `Policies.PasswordPolicy`. */
export interface PasswordPolicy {
  MinimumLength: number;
  RequireUppercase: boolean;
  RequireLowercase: boolean;
  RequireNumbers: boolean;
  RequireSymbols: boolean;
  TemporaryPasswordValidityDays: number;
}

/** Cognito's default policy for new pools. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
};

/** The special characters Cognito counts as symbols (plus the space). */
const SYMBOLS = '^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ';

/**
 * Checks the API constraints of a password member (1 to 256 characters) and then the pool's policy:
 * InvalidParameterException for the former, InvalidPasswordException with the broken rule for the latter.
 */
export function checkPassword(policy: PasswordPolicy, password: string, member = 'password'): void {
  if (password.length > 256) {
    throw invalidParameter(
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to 256`,
    );
  }
  const broken = brokenRule(policy, password);
  if (broken) {
    throw new CognitoError('InvalidPasswordException', `Password did not conform with policy: ${broken}`);
  }
}

function brokenRule(policy: PasswordPolicy, password: string): string | undefined {
  const chars = [...password];
  if (chars.length < policy.MinimumLength) return 'Password not long enough';
  if (policy.RequireUppercase && !chars.some((c) => c !== c.toLowerCase())) {
    return 'Password must have uppercase characters';
  }
  if (policy.RequireLowercase && !chars.some((c) => c !== c.toUpperCase())) {
    return 'Password must have lowercase characters';
  }
  if (policy.RequireNumbers && !chars.some((c) => c >= '0' && c <= '9')) {
    return 'Password must have numeric characters';
  }
  if (policy.RequireSymbols && !chars.some((c) => SYMBOLS.includes(c))) {
    return 'Password must have symbol characters';
  }
  return undefined;
}

/** A random password that satisfies `policy` (temporary passwords, the demo user). */
export function generatePassword(policy: PasswordPolicy, length = 16): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!@#%^*-_=+'];
  const all = sets.join('');
  const chars = sets.map((set) => set.charAt(randomInt(set.length)));
  while (chars.length < Math.max(length, policy.MinimumLength)) chars.push(all.charAt(randomInt(all.length)));
  for (let i = chars.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

/** `scrypt$<salt>$<hash>` (base64url) for storage. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt);
  return `scrypt$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const DUMMY_HASH = `scrypt$${randomBytes(16).toString('base64url')}$${randomBytes(32).toString('base64url')}`;

/**
 * True when `password` matches `stored`. Without a stored hash (unknown user) it still runs scrypt
 * against a dummy hash, so both cases take about the same time.
 */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const [scheme, saltText, hashText] = (stored ?? DUMMY_HASH).split('$');
  if (scheme !== 'scrypt' || !saltText || !hashText) return false;
  const expected = Buffer.from(hashText, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(saltText, 'base64url'));
  return stored !== undefined && expected.length === actual.length && timingSafeEqual(expected, actual);
}
