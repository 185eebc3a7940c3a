// The local users file (LOCAL_USERS_FILE) read and validated: users, groups, attributes and MFA, every fault named.
import { parseDocumentText } from '../document-text.ts';
import { readFile } from 'node:fs/promises';
import { checkAttributeName } from './operations/context.ts';
import type { Attribute } from './state.ts';

/** MFA as the file asks for it: `off` turns every type off; `email` / `sms` turn that type on, preferred. */
export type LocalUserMfa = 'off' | 'email' | 'sms';

/** One validated entry of `users`. */
export interface LocalUserSpec {
  email: string;
  /** Set at every start when given; generated for a new user when absent. */
  password: string | undefined;
  groups: string[];
  /** Standard and `custom:` attributes (never sub, email, email_verified), values as strings. */
  attributes: Attribute[];
  /** Left as it is when undefined. */
  mfa: LocalUserMfa | undefined;
}

/** A validated local users file. */
export interface LocalUsersSpec {
  /** Groups to create even when nobody is in them. */
  groups: string[];
  users: LocalUserSpec[];
}

/** What seeding did for one user, for local mode to print. */
export interface SeededLocalUser {
  email: string;
  /** Cognito's internal username (a UUID in the seeded pool, where the email is the sign-in name). */
  username: string;
  /** Every group the user is in now (those added earlier, by the file or by hand, included). */
  groups: string[];
  /** True when this start created the user. */
  created: boolean;
  /**
   * `file`: the file's password is the password; `generated`: `password` is one seeding generated (now or at an
   * earlier start) and it still works; `unchanged`: the user's password is theirs (set by hand or changed since).
   */
  passwordSource: 'file' | 'generated' | 'unchanged';
  /** Only for `generated`. */
  password: string | undefined;
  mfa: LocalUserMfa | undefined;
}

/** A local users file that does not validate; `problems` names each fault as `users[2].email: must be ...`. */
export class LocalUsersError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
    this.name = 'LocalUsersError';
  }
}

const TOP_KEYS = ['groups', 'users'] as const;
const USER_KEYS = ['email', 'password', 'groups', 'attributes', 'mfa'] as const;
/** The app's own email check (sign-up, MFA set-up); 128 characters as the pool's usernames. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Cognito's GroupName: 1 to 128 letters, marks, symbols, numbers or punctuation (no spaces). */
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
/** E.164, as Cognito requires of phone_number. */
const PHONE = /^\+[1-9][0-9]{3,14}$/;
const MAX_ATTRIBUTE_LENGTH = 2048;
const MAX_USERS = 1000;

/** The faults found so far, each named by where it is. */
export class Problems {
  readonly list: string[] = [];
  add(at: string, message: string): void {
    this.list.push(at === '' ? message : `${at}: ${message}`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keys starting with `_` (`_comment`) are comments, as in the access-rules file. */
const meaningfulKeys = (value: Record<string, unknown>): string[] =>
  Object.keys(value).filter((key) => !key.startsWith('_'));

/** `at` extended by a key; odd keys quoted and cut short. */
function keyPath(at: string, key: string): string {
  const name = /^[A-Za-z_][A-Za-z0-9_:.-]{0,63}$/.test(key) ? key : JSON.stringify(key.slice(0, 40));
  return at === '' ? name : `${at}.${name}`;
}

function rejectUnknownKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  at: string,
  problems: Problems,
): void {
  for (const key of meaningfulKeys(value)) {
    if (!known.includes(key)) problems.add(keyPath(at, key), `unknown key (expected ${known.join(', ')})`);
  }
}

function groupList(value: unknown, at: string, problems: Problems): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.add(at, 'must be a list of group names');
    return [];
  }
  const groups: string[] = [];
  value.forEach((name: unknown, i) => {
    if (typeof name !== 'string' || !GROUP_NAME.test(name)) {
      problems.add(
        `${at}[${i}]`,
        'must be a group name (1 to 128 letters, digits or punctuation, no spaces)',
      );
    } else if (!groups.includes(name)) {
      groups.push(name);
    }
  });
  return groups;
}

/** A scalar attribute value as Cognito stores it (a string); numbers and booleans are written out. */
function attributeValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

function attributeProblem(name: string, value: string): string | undefined {
  if (name === 'sub') return 'cannot be set: Cognito gives every user a sub';
  if (name === 'email') return 'give the address as the entry’s email instead';
  if (name === 'email_verified') return 'cannot be set: seeded users’ emails are always verified';
  try {
    checkAttributeName(name);
  } catch {
    return name.startsWith('custom:')
      ? 'custom attribute names are custom: and 1 to 20 letters, digits, _, . or -'
      : 'not a standard attribute (custom ones start with custom:)';
  }
  if (value.length > MAX_ATTRIBUTE_LENGTH) return `must be at most ${MAX_ATTRIBUTE_LENGTH} characters`;
  if (name === 'phone_number' && !PHONE.test(value)) {
    return 'must be a phone number in E.164 format, e.g. +14325551212';
  }
  if (name === 'phone_number_verified' && value !== 'true' && value !== 'false')
    return 'must be true or false';
  return undefined;
}

function attributeMap(value: unknown, at: string, problems: Problems): Attribute[] {
  if (value === undefined || value === null) return [];
  if (!isObject(value)) {
    problems.add(at, 'must be a mapping of attribute names to values, e.g. { name: Ada Lovelace }');
    return [];
  }
  const attributes: Attribute[] = [];
  for (const [name, raw] of Object.entries(value)) {
    const where = keyPath(at, name);
    const text = attributeValue(raw);
    if (text === undefined) {
      problems.add(where, 'must be a string, number or true/false');
      continue;
    }
    const problem = attributeProblem(name, text);
    if (problem) problems.add(where, problem);
    else attributes.push({ Name: name, Value: text });
  }
  return attributes;
}

function mfaOf(
  value: unknown,
  attributes: Attribute[],
  at: string,
  problems: Problems,
): LocalUserMfa | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === false || value === 'off') return 'off';
  if (value === true || value === 'email') return 'email';
  if (value === 'sms') {
    if (!attributes.some((a) => a.Name === 'phone_number')) {
      problems.add(at, 'sms needs attributes.phone_number');
    }
    return 'sms';
  }
  problems.add(
    at,
    value === 'totp'
      ? 'totp cannot be seeded (it needs your authenticator app): sign in and set it up on the account page'
      : 'must be true (email codes), false, email or sms',
  );
  return undefined;
}

function userOf(entry: unknown, at: string, problems: Problems): LocalUserSpec | undefined {
  if (!isObject(entry)) {
    problems.add(at, 'must be a mapping with at least email');
    return undefined;
  }
  rejectUnknownKeys(entry, USER_KEYS, at, problems);
  const before = problems.list.length;
  const { email, password } = entry;
  if (email === undefined || email === null) problems.add(`${at}.email`, 'is required');
  else if (typeof email !== 'string' || email.length > 128 || !EMAIL.test(email)) {
    problems.add(`${at}.email`, 'must be an email');
  }
  if (password !== undefined && password !== null) {
    if (typeof password !== 'string') problems.add(`${at}.password`, 'must be a string (quote it)');
    else if (password.length === 0)
      problems.add(`${at}.password`, 'must not be empty (leave it out to generate one)');
  }
  const groups = groupList(entry.groups, `${at}.groups`, problems);
  const attributes = attributeMap(entry.attributes, `${at}.attributes`, problems);
  const mfa = mfaOf(entry.mfa, attributes, `${at}.mfa`, problems);
  if (problems.list.length > before) return undefined;
  return {
    email: email as string,
    password: typeof password === 'string' ? password : undefined,
    groups,
    attributes,
    mfa,
  };
}

/**
 * Validates a local users document (already parsed from JSON or YAML). Throws LocalUsersError naming every
 * problem by the path of its key (`users[2].email: must be an email`), never quoting the file's values.
 */
export function parseLocalUsers(document: unknown): LocalUsersSpec {
  const problems = new Problems();
  if (!isObject(document)) {
    problems.add('', 'the document must be a mapping with users (and optionally groups)');
    throw new LocalUsersError(problems.list);
  }
  rejectUnknownKeys(document, TOP_KEYS, '', problems);
  if (document.users === undefined && document.groups === undefined) {
    problems.add('', 'must list users (and optionally groups)');
  }
  const groups = groupList(document.groups, 'groups', problems);
  const users: LocalUserSpec[] = [];
  const { users: entries } = document;
  if (entries !== undefined && entries !== null && !Array.isArray(entries)) {
    problems.add('users', 'must be a list of users, each with at least email');
  } else if (Array.isArray(entries) && entries.length > MAX_USERS) {
    problems.add('users', `must list at most ${MAX_USERS} users`);
  } else if (Array.isArray(entries)) {
    const seen = new Map<string, number>();
    entries.forEach((entry: unknown, i) => {
      const user = userOf(entry, `users[${i}]`, problems);
      if (!user) return;
      // The seeded pool matches emails in any case: two spellings would be one account.
      const key = user.email.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) problems.add(`users[${i}].email`, `the same email as users[${first}]`);
      else seen.set(key, i);
      users.push(user);
    });
  }
  if (problems.list.length > 0) throw new LocalUsersError(problems.list);
  return { groups, users };
}

/**
 * The users in `text`, validated: JSON for a `.json` file, anything else as YAML (which JSON is too). Throws
 * LocalUsersError saying what is wrong and where, never quoting the text.
 */
export function parseLocalUsersText(text: string, file: string): LocalUsersSpec {
  let document: unknown;
  try {
    document = parseDocumentText(text, file);
  } catch (err) {
    throw new LocalUsersError([(err as Error).message]);
  }
  return parseLocalUsers(document);
}

/** Reads and validates `file`; LocalUsersError when it cannot be read or does not validate. */
export async function readLocalUsersFile(file: string): Promise<LocalUsersSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    throw new LocalUsersError([`cannot be read (${typeof code === 'string' ? code : 'unknown error'})`]);
  }
  return parseLocalUsersText(text, file);
}
