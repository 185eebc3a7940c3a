// The access-rules document (ACCESS_RULES_FILE): its two formats, validated into the rules `decide` applies.
import { AUTHENTICATED, type Condition, parseCondition, parseSeed, SEED_KEYS } from './conditions.ts';
import { normaliseRulePath, type PathPrefix } from './request-path.ts';
import {
  AccessRulesError,
  indexPath,
  isObject,
  keyPath,
  meaningfulKeys,
  Problems,
  rejectUnknownKeys,
} from './problems.ts';

export { AccessRulesError };

/** One rule of the richer format, validated. */
export interface AccessRule {
  readonly path: PathPrefix;
  /** Upper-case method names, or undefined for every method. */
  readonly methods: ReadonlySet<string> | undefined;
  readonly allow: Condition;
}

/** Validated access rules: what `decide` applies to each request. */
export interface AccessRules {
  /** Which format the rules came from: `default` is the policy when no file is configured. */
  readonly format: 'seed' | 'rules' | 'default';
  readonly public: readonly PathPrefix[];
  readonly rules: readonly AccessRule[];
  readonly default: Condition;
}

/** The policy without a rules file: any signed-in user, nothing public. */
export const DEFAULT_ACCESS_RULES: AccessRules = {
  format: 'default',
  public: [],
  rules: [],
  default: AUTHENTICATED,
};

const RICH_KEYS = ['public', 'rules', 'default'] as const;
const RULE_KEYS = ['path', 'methods', 'allow', ...SEED_KEYS] as const;
const METHOD = /^[A-Za-z]{1,20}$/;

/**
 * Validates a rules document (already parsed from JSON or YAML) and returns the rules; throws AccessRulesError
 * naming every problem by the path of its key (`rules[2].allow.groups.any: must be a list of group names`), never
 * quoting the document's values. Keys starting with `_` (`_comment`) are comments and ignored everywhere; any other
 * unknown key is an error. Two formats:
 *
 * **The seed format**, co-cddo cognito-auth's `auth-config.json`, with its meaning:
 * `{ "allowed_groups": ["admins"], "allowed_users": ["ada@example.com"], "require_all": false }`. At least one of
 * `allowed_groups` and `allowed_users` must list something (an empty or null list counts as not given);
 * `allowed_users` must be email addresses, compared in any case. The group rule passes when any of the user's
 * groups is listed, the user rule when their email is listed; `require_all: false` (the default) lets any given
 * rule pass, `true` needs all of them. It applies to every path, and the user must be signed in.
 *
 * **The rules format**:
 * ```yaml
 * public: [/healthz, /static/]     # no sign-in needed, any method (checked before the rules)
 * rules:                           # the first rule whose path and method match decides
 *   - path: /admin                 # /admin and below it, not /administrator; /static/ matches only below it
 *     methods: [POST, DELETE]      # optional: any method when absent; names in any case
 *     allow: { groups: { any: [admins] } }
 *   - path: /reports               # a rule may give the seed keys as its condition instead of allow
 *     allowed_groups: [analysts]
 *     allowed_users: [ada@example.com]
 *     require_all: false
 * default: authenticated           # when no rule matches; optional, "authenticated" when absent
 * ```
 * Paths start with `/` and are plain (no `.`/`..` segments, `//`, `\`, `;` or encoded slashes, no query); a
 * request's path is read every way an upstream might read it (decoded, dot segments resolved, and also in lower
 * case) and the strictest answer wins (see `decide`), so write paths as the app spells them. `methods` list exact
 * methods: `GET` does not imply `HEAD`. A condition (`allow`, `default`, and inside `all`/`any`/`not`) is one of:
 * - `"authenticated"`: any signed-in user; `"deny"`: nobody;
 * - `{ "groups": { "any": [...], "all": [...], "none": [...] } }`: in at least one / every / none of the listed
 *   groups (exact names); give one or more of `any`, `all`, `none`, and all given must hold;
 * - `{ "emails": ["ada@example.com"] }`: the user's email is listed (in any case);
 * - `{ "email_domains": ["example.com"] }`: the email's domain (after the last `@`) is listed, exactly and in any
 *   case: `example.com` allows neither `sub.example.com` nor `evil-example.com`;
 * - `{ "all": [c, ...] }`, `{ "any": [c, ...] }`, `{ "not": c }`;
 * - the seed keys `{ "allowed_groups": [...], "allowed_users": [...], "require_all": bool }`, meaning as above.
 * One kind per object: combine several with `all` or `any`. Lists must not be empty. A user who is not signed in
 * is sent to sign in anywhere but the public paths, whatever the conditions.
 */
export function parseAccessRules(document: unknown): AccessRules {
  const problems = new Problems();
  const rules = parseDocument(document, problems);
  if (!rules || problems.list.length > 0) throw new AccessRulesError(problems.list);
  return rules;
}

function parseDocument(doc: unknown, problems: Problems): AccessRules | undefined {
  if (!isObject(doc)) {
    problems.add('', 'the document must be an object (a JSON object or YAML mapping)');
    return undefined;
  }
  const keys = meaningfulKeys(doc);
  const isSeedKey = (key: string) => (SEED_KEYS as readonly string[]).includes(key);
  if (!keys.some((key) => (RICH_KEYS as readonly string[]).includes(key))) {
    if (keys.length === 0) {
      problems.add(
        '',
        `must specify at least one of allowed_groups, allowed_users (or ${RICH_KEYS.join(', ')})`,
      );
      return undefined;
    }
    rejectUnknownKeys(doc, [...SEED_KEYS, ...RICH_KEYS], '', problems);
    const condition = parseSeed(doc, '', problems);
    return condition && { format: 'seed', public: [], rules: [], default: condition };
  }
  for (const key of keys.filter(isSeedKey)) {
    problems.add(
      key,
      'cannot be mixed with public, rules and default at the top level: put it in default or a rule',
    );
  }
  rejectUnknownKeys(doc, [...RICH_KEYS, ...SEED_KEYS], '', problems);
  const publicPaths = doc.public === undefined ? [] : parsePaths(doc.public, 'public', problems);
  const rules = doc.rules === undefined ? [] : parseRules(doc.rules, problems);
  const fallback =
    doc.default === undefined ? AUTHENTICATED : parseCondition(doc.default, 'default', problems);
  if (!publicPaths || !rules || !fallback) return undefined;
  return { format: 'rules', public: publicPaths, rules, default: fallback };
}

function parsePath(value: unknown, path: string, problems: Problems): PathPrefix | undefined {
  if (typeof value !== 'string') {
    problems.add(path, 'must be a path such as /admin');
    return undefined;
  }
  const result = normaliseRulePath(value);
  if ('problem' in result) {
    problems.add(path, result.problem);
    return undefined;
  }
  return { text: result.path, lower: result.path.toLowerCase() };
}

function parsePaths(value: unknown, path: string, problems: Problems): PathPrefix[] | undefined {
  if (!Array.isArray(value)) {
    problems.add(path, 'must be a list of paths such as /healthz');
    return undefined;
  }
  const paths = value.map((entry, i) => parsePath(entry, indexPath(path, i), problems));
  return paths.every((p) => p !== undefined) ? paths : undefined;
}

function parseRules(value: unknown, problems: Problems): AccessRule[] | undefined {
  if (!Array.isArray(value)) {
    problems.add('rules', 'must be a list of rules, each with a path and allow');
    return undefined;
  }
  const rules = value.map((rule, i) => parseRule(rule, indexPath('rules', i), problems));
  return rules.every((r) => r !== undefined) ? rules : undefined;
}

function parseRule(value: unknown, path: string, problems: Problems): AccessRule | undefined {
  if (!isObject(value)) {
    problems.add(path, 'must be an object with a path and allow');
    return undefined;
  }
  rejectUnknownKeys(value, RULE_KEYS, path, problems);
  if (value.path === undefined) problems.add(keyPath(path, 'path'), 'is required (a path such as /admin)');
  const prefix =
    value.path === undefined ? undefined : parsePath(value.path, keyPath(path, 'path'), problems);
  const methods =
    value.methods === undefined ? null : parseMethods(value.methods, keyPath(path, 'methods'), problems);
  const seed = SEED_KEYS.some((key) => value[key] !== undefined);
  let allow: Condition | undefined;
  if (value.allow !== undefined && seed) {
    problems.add(path, 'give either allow or allowed_groups/allowed_users, not both');
  } else if (value.allow !== undefined) {
    allow = parseCondition(value.allow, keyPath(path, 'allow'), problems);
  } else if (seed) {
    allow = parseSeed(value, path, problems);
  } else {
    problems.add(path, 'needs allow (a condition) or allowed_groups/allowed_users');
  }
  if (!prefix || methods === undefined || !allow) return undefined;
  return { path: prefix, methods: methods ?? undefined, allow };
}

/** The rule's methods in upper case; null when absent, undefined after a problem. */
function parseMethods(value: unknown, path: string, problems: Problems): ReadonlySet<string> | undefined {
  const valid = Array.isArray(value) && value.length > 0 && value.every((m) => typeof m === 'string');
  if (!valid) {
    problems.add(path, 'must be a non-empty list of HTTP methods such as GET, POST');
    return undefined;
  }
  const bad = value.findIndex((m) => !METHOD.test(m));
  if (bad >= 0) {
    problems.add(indexPath(path, bad), 'must be an HTTP method such as GET');
    return undefined;
  }
  return new Set(value.map((m) => m.toUpperCase()));
}
