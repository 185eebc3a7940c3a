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

/** scrypt's cost (N) of hashes stored without one (`scrypt$<salt>$<hash>`, as earlier versions wrote them). */
const LEGACY_COST = 16384;
const SCRYPT = { r: 8, p: 1, keylen: 32 };
/** The cost of passwords hashed from now on in this process; every stored hash carries its own. */
let hashCost = 16384;

/**
 * Sets scrypt's cost (N, a power of two from 1024) for passwords the emulator hashes from now on in this process.
 * The default, 16384, makes a password check take about as long as Cognito's; the test suite lowers it, since it
 * signs in thousands of times. Hashes stored earlier keep their own cost.
 */
export function setPasswordHashCost(cost: number): void {
  if (!Number.isInteger(cost) || cost < 1024 || (cost & (cost - 1)) !== 0) {
    throw new Error(`the password hash cost must be a power of two from 1024, not ${cost}`);
  }
  hashCost = cost;
}

function scryptAsync(password: string, salt: Buffer, cost: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, SCRYPT.keylen, { N: cost, r: SCRYPT.r, p: SCRYPT.p }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

/** `scrypt$<cost>$<salt>$<hash>` (salt and hash base64url) for storage. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const cost = hashCost;
  const key = await scryptAsync(password, salt, cost);
  return `scrypt$${cost}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** A hash nobody's password matches, at the current cost, for unknown users (one per cost). */
const dummies = new Map<number, string>();
function dummyHash(): string {
  let dummy = dummies.get(hashCost);
  if (!dummy) {
    dummy = `scrypt$${hashCost}$${randomBytes(16).toString('base64url')}$${randomBytes(32).toString('base64url')}`;
    dummies.set(hashCost, dummy);
  }
  return dummy;
}

/** The parts of a stored hash, or undefined when it is not one of ours. */
function parseHash(stored: string): { cost: number; salt: Buffer; hash: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts[0] !== 'scrypt') return undefined;
  const [costText, saltText, hashText] =
    parts.length === 3 ? [String(LEGACY_COST), parts[1], parts[2]] : parts.slice(1);
  const cost = Number(costText);
  if (
    parts.length > 4 ||
    !saltText ||
    !hashText ||
    !Number.isInteger(cost) ||
    cost < 2 ||
    (cost & (cost - 1)) !== 0
  ) {
    return undefined;
  }
  return { cost, salt: Buffer.from(saltText, 'base64url'), hash: Buffer.from(hashText, 'base64url') };
}

/**
 * True when `password` matches `stored`. Without a stored hash (unknown user) it still runs scrypt
 * against a dummy hash, so both cases take about the same time.
 */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parsed = parseHash(stored ?? dummyHash());
  if (!parsed) return false;
  const actual = await scryptAsync(password, parsed.salt, parsed.cost);
  return stored !== undefined && parsed.hash.length === actual.length && timingSafeEqual(parsed.hash, actual);
}
