// Who may pass: the conditions of a rules document, how they are read and validated, and how they are evaluated.
import { z } from 'zod';
import type { Identity } from '../session/resolve-auth.ts';
import {
  indexPath,
  isObject,
  keyPath,
  meaningfulKeys,
  type Problems,
  rejectUnknownKeys,
} from './problems.ts';

/** A validated condition: every list non-empty, emails and domains in lower case. */
export type Condition =
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'deny' }
  | {
      readonly kind: 'groups';
      readonly any?: readonly string[];
      readonly all?: readonly string[];
      readonly none?: readonly string[];
    }
  | { readonly kind: 'emails'; readonly emails: ReadonlySet<string> }
  | { readonly kind: 'email_domains'; readonly domains: ReadonlySet<string> }
  | { readonly kind: 'all' | 'any'; readonly of: readonly Condition[] }
  | { readonly kind: 'not'; readonly of: Condition };

/** What a condition looks at: a signed-in identity's groups and email. */
export type ConditionSubject = Pick<Identity, 'groups' | 'email'>;

/** The keys of co-cddo cognito-auth's `auth-config.json`, accepted as a condition. */
export const SEED_KEYS = ['allowed_groups', 'allowed_users', 'require_all'] as const;
const OPERATORS = ['groups', 'emails', 'email_domains', 'all', 'any', 'not'] as const;
const GROUP_KEYS = ['any', 'all', 'none'] as const;

const isEmail = (s: string) => z.email().safeParse(s).success;
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DOMAIN = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})+$`);

export const AUTHENTICATED: Condition = { kind: 'authenticated' };

/** Whether `subject` (a signed-in identity) meets `condition`. */
export function conditionHolds(condition: Condition, subject: ConditionSubject): boolean {
  switch (condition.kind) {
    case 'authenticated':
      return true;
    case 'deny':
      return false;
    case 'groups': {
      const has = (group: string) => subject.groups.includes(group);
      return (
        (!condition.any || condition.any.some(has)) &&
        (!condition.all || condition.all.every(has)) &&
        (!condition.none || !condition.none.some(has))
      );
    }
    case 'emails':
      return subject.email !== undefined && condition.emails.has(subject.email.toLowerCase());
    case 'email_domains': {
      const email = subject.email?.toLowerCase() ?? '';
      const at = email.lastIndexOf('@');
      return at > 0 && condition.domains.has(email.slice(at + 1));
    }
    case 'all':
      return condition.of.every((c) => conditionHolds(c, subject));
    case 'any':
      return condition.of.some((c) => conditionHolds(c, subject));
    case 'not':
      return !conditionHolds(condition.of, subject);
  }
}

/**
 * A list of strings, each checked by `item` (which returns a problem or undefined); undefined after recording
 * problems. `what` names the items in the message: `must be a list of group names`.
 */
function stringList(
  value: unknown,
  path: string,
  problems: Problems,
  what: string,
  item: (s: string) => string | undefined,
): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(
      path,
      Array.isArray(value) ? `must not be empty (a list of ${what})` : `must be a list of ${what}`,
    );
    return undefined;
  }
  const before = problems.list.length;
  const out = value.map((entry, i) => {
    const problem = typeof entry === 'string' ? item(entry) : `must be a string`;
    if (problem) problems.add(indexPath(path, i), problem);
    return String(entry);
  });
  return problems.list.length === before ? out : undefined;
}

const groupNames = (value: unknown, path: string, problems: Problems) =>
  stringList(value, path, problems, 'group names', (s) => (s === '' ? 'must be a group name' : undefined));

const emailList = (value: unknown, path: string, problems: Problems) =>
  stringList(value, path, problems, 'email addresses', (s) =>
    isEmail(s) ? undefined : 'must be an email address',
  )?.map((s) => s.toLowerCase());

/**
 * The seed format's keys of `value` as one condition: the group rule (any of the user's groups listed) and the user
 * rule (the email listed, in any case), both required when `require_all` is true, either otherwise. An empty or
 * null list counts as not given, as in cognito-auth; at least one must be given. Other keys are the caller's.
 */
export function parseSeed(
  value: Record<string, unknown>,
  path: string,
  problems: Problems,
): Condition | undefined {
  const given = (key: string) => value[key] !== undefined && value[key] !== null;
  const nonEmpty = (key: string) => {
    const list = value[key];
    return !Array.isArray(list) || list.length > 0;
  };
  const groups = given('allowed_groups') && nonEmpty('allowed_groups');
  const users = given('allowed_users') && nonEmpty('allowed_users');
  const rules: Condition[] = [];
  const before = problems.list.length;
  if (groups) {
    const any = groupNames(value.allowed_groups, keyPath(path, 'allowed_groups'), problems);
    if (any) rules.push({ kind: 'groups', any });
  }
  if (users) {
    const emails = emailList(value.allowed_users, keyPath(path, 'allowed_users'), problems);
    if (emails) rules.push({ kind: 'emails', emails: new Set(emails) });
  }
  const requireAll = value.require_all;
  if (requireAll !== undefined && typeof requireAll !== 'boolean') {
    problems.add(keyPath(path, 'require_all'), 'must be true or false');
  }
  if (!groups && !users) problems.add(path, 'must specify at least one of allowed_groups, allowed_users');
  if (problems.list.length > before) return undefined;
  if (rules.length === 1) return rules[0];
  return { kind: requireAll === true ? 'all' : 'any', of: rules };
}

const CONDITION_SHAPES = `"authenticated", "deny" or an object with one of ${OPERATORS.join(', ')} (or ${SEED_KEYS.join(', ')})`;

/** A condition at `path` of a rules document (see rules-format.ts); undefined after recording its problems. */
export function parseCondition(value: unknown, path: string, problems: Problems): Condition | undefined {
  if (value === 'authenticated' || value === 'deny') return { kind: value };
  if (!isObject(value)) {
    problems.add(path, `must be ${CONDITION_SHAPES}`);
    return undefined;
  }
  const keys = meaningfulKeys(value);
  if (keys.some((key) => (SEED_KEYS as readonly string[]).includes(key))) {
    rejectUnknownKeys(value, SEED_KEYS, path, problems);
    return parseSeed(value, path, problems);
  }
  rejectUnknownKeys(value, OPERATORS, path, problems);
  const ops = keys.filter((key) => (OPERATORS as readonly string[]).includes(key));
  if (ops.length !== 1) {
    if (ops.length > 1)
      problems.add(path, `has ${ops.join(' and ')}: one per object, combined with all or any`);
    else if (keys.length === 0) problems.add(path, `must be ${CONDITION_SHAPES}`);
    return undefined;
  }
  const op = ops[0]!;
  const at = keyPath(path, op);
  const operand = value[op];
  switch (op) {
    case 'groups':
      return parseGroups(operand, at, problems);
    case 'emails': {
      const emails = emailList(operand, at, problems);
      return emails && { kind: 'emails', emails: new Set(emails) };
    }
    case 'email_domains': {
      const domains = stringList(operand, at, problems, 'domain names', (s) =>
        DOMAIN.test(s.toLowerCase())
          ? undefined
          : 'must be a domain name such as example.com (no @, no wildcard)',
      );
      return domains && { kind: 'email_domains', domains: new Set(domains.map((d) => d.toLowerCase())) };
    }
    case 'all':
    case 'any': {
      if (!Array.isArray(operand) || operand.length === 0) {
        problems.add(at, 'must be a non-empty list of conditions');
        return undefined;
      }
      const of = operand.map((c, i) => parseCondition(c, indexPath(at, i), problems));
      return of.every((c) => c !== undefined) ? { kind: op, of } : undefined;
    }
    default: {
      const of = parseCondition(operand, at, problems);
      return of && { kind: 'not', of };
    }
  }
}

function parseGroups(value: unknown, path: string, problems: Problems): Condition | undefined {
  const shape = 'must be an object with any, all and/or none, each a list of group names';
  if (!isObject(value)) {
    problems.add(path, shape);
    return undefined;
  }
  rejectUnknownKeys(value, GROUP_KEYS, path, problems);
  if (!GROUP_KEYS.some((key) => value[key] !== undefined)) {
    problems.add(path, shape);
    return undefined;
  }
  const before = problems.list.length;
  const lists: Partial<Record<(typeof GROUP_KEYS)[number], string[]>> = {};
  for (const key of GROUP_KEYS) {
    if (value[key] !== undefined) lists[key] = groupNames(value[key], keyPath(path, key), problems);
  }
  return problems.list.length === before ? { kind: 'groups', ...lists } : undefined;
}
