// Access rules: the seed format (cognito-auth's auth-config.json) and the rules format, and what they decide.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AccessDecision, decide } from '../../src/access/access-rules.ts';
import { DEFAULT_ACCESS_RULES, parseAccessRules } from '../../src/access/rules-format.ts';

type Who = { groups: string[]; email: string | undefined } | undefined;
const user = (groups: string[], email?: string): Who => ({ groups, email });
const kind = (doc: unknown, who: Who, path: string, method = 'GET'): AccessDecision['kind'] =>
  decide(parseAccessRules(doc), { identity: who, method, path }).kind;

test('no rules file: any signed-in user, nothing public', () => {
  const d = (who: Who, path: string) =>
    decide(DEFAULT_ACCESS_RULES, { identity: who, method: 'GET', path }).kind;
  assert.equal(d(user([]), '/anything'), 'allow');
  assert.equal(d(undefined, '/anything'), 'sign-in');
  assert.equal(d(undefined, '/healthz'), 'sign-in');
});

const SEED_OR = {
  allowed_groups: ['admins', 'devs'],
  allowed_users: ['Ada@Example.com'],
  require_all: false,
};
const SEED_AND = { ...SEED_OR, require_all: true };

test('the seed format decides as cognito-auth does (OR by default, AND with require_all)', () => {
  const cases: [string, unknown, Who, AccessDecision['kind']][] = [
    ['OR: a listed group', SEED_OR, user(['devs']), 'allow'],
    ['OR: one of several groups listed', SEED_OR, user(['staff', 'admins']), 'allow'],
    ['OR: a listed email, another case', SEED_OR, user([], 'ada@example.COM'), 'allow'],
    ['OR: neither', SEED_OR, user(['staff'], 'bob@example.com'), 'deny'],
    ['OR: no email, no groups', SEED_OR, user([]), 'deny'],
    ['OR: group names are exact', SEED_OR, user(['Admins']), 'deny'],
    ['AND: group and email', SEED_AND, user(['devs'], 'ADA@example.com'), 'allow'],
    ['AND: group only', SEED_AND, user(['devs'], 'bob@example.com'), 'deny'],
    ['AND: email only', SEED_AND, user([], 'ada@example.com'), 'deny'],
    [
      'default OR when require_all is absent',
      { allowed_groups: ['x'], allowed_users: ['a@b.com'] },
      user(['x']),
      'allow',
    ],
    ['groups only', { allowed_groups: ['x'] }, user(['x']), 'allow'],
    ['users only', { allowed_users: ['a@b.com'] }, user(['x'], 'a@b.com'), 'allow'],
    ['an empty list counts as not given (AND)', { ...SEED_AND, allowed_users: [] }, user(['devs']), 'allow'],
    [
      'a null list counts as not given',
      { allowed_groups: null, allowed_users: ['a@b.com'] },
      user([], 'a@b.com'),
      'allow',
    ],
    ['anonymous must sign in', SEED_OR, undefined, 'sign-in'],
  ];
  for (const [name, doc, who, expected] of cases) {
    for (const path of ['/', '/healthz', '/any/where']) assert.equal(kind(doc, who, path), expected, name);
  }
});

test('a seed file works as it is, with its _comment keys', () => {
  const file = {
    _comment: 'who may use the app',
    _usage: ['copy it', 'point the server at it'],
    allowed_groups: ['developers'],
    allowed_users: ['someone@example.com'],
    require_all: false,
    _field_descriptions: { allowed_groups: 'groups' },
  };
  assert.equal(parseAccessRules(file).format, 'seed');
  assert.equal(kind(file, user(['developers']), '/'), 'allow');
  assert.equal(kind(file, user(['others']), '/'), 'deny');
});

const RICH = {
  public: ['/healthz', '/static/'],
  rules: [
    { path: '/docs/private', allow: { groups: { any: ['editors'] } } },
    { path: '/docs', allow: 'authenticated' },
    { path: '/admin', methods: ['get', 'HEAD'], allow: { groups: { any: ['admins', 'auditors'] } } },
    { path: '/admin', allow: { groups: { all: ['admins', 'mfa'] } } },
    { path: '/staff', allow: { groups: { none: ['contractors'] } } },
    { path: '/team', allow: { emails: ['Ada@Example.com'] } },
    { path: '/corp/', allow: { email_domains: ['Example.com'] } },
    {
      path: '/mixed',
      allow: {
        all: [
          { email_domains: ['example.com'] },
          { any: [{ groups: { any: ['a'] } }, { not: { groups: { any: ['b'] } } }] },
        ],
      },
    },
    {
      path: '/reports',
      allowed_groups: ['analysts'],
      allowed_users: ['bob@example.org'],
      require_all: false,
    },
    { path: '/both', allowed_groups: ['analysts'], allowed_users: ['bob@example.org'], require_all: true },
    { path: '/closed', allow: 'deny' },
  ],
  default: { groups: { none: ['banned'] } },
};

test('the rules format: first matching rule by path prefix and method, else the default', () => {
  const cases: [string, Who, string, string, AccessDecision['kind']][] = [
    ['public path, anonymous', undefined, 'GET', '/healthz', 'public'],
    ['public path, any method', undefined, 'POST', '/healthz', 'public'],
    ['public path below it', undefined, 'GET', '/healthz/live', 'public'],
    ['public prefix is segment-aware', undefined, 'GET', '/healthzz', 'sign-in'],
    ['public trailing-slash prefix: below it', undefined, 'GET', '/static/app.css', 'public'],
    ['public trailing-slash prefix: not itself', undefined, 'GET', '/static', 'sign-in'],
    ['public for the signed-in too', user(['banned']), 'GET', '/static/x.js', 'public'],
    ['anonymous elsewhere must sign in, even where nobody may go', undefined, 'GET', '/closed', 'sign-in'],
    ['first match wins: the specific rule first', user([]), 'GET', '/docs/private/a', 'deny'],
    ['first match wins: editors', user(['editors']), 'GET', '/docs/private', 'allow'],
    ['the general rule after it', user([]), 'GET', '/docs/public', 'allow'],
    ['segment-aware: /docs does not cover /docsearch', user(['banned']), 'GET', '/docsearch', 'deny'],
    ['method rule: GET by an auditor', user(['auditors']), 'GET', '/admin/users', 'allow'],
    ['method rule: HEAD by an auditor', user(['auditors']), 'head', '/admin', 'allow'],
    ['method rule skipped for POST: all of admins, mfa', user(['auditors']), 'POST', '/admin', 'deny'],
    ['groups.all: both', user(['admins', 'mfa']), 'POST', '/admin/users', 'allow'],
    ['groups.all: one missing', user(['admins']), 'DELETE', '/admin/users', 'deny'],
    ['segment-aware: /admin does not cover /administrator', user([]), 'POST', '/administrator', 'allow'],
    ['groups.none: not in it', user(['staff']), 'GET', '/staff', 'allow'],
    ['groups.none: in it', user(['staff', 'contractors']), 'GET', '/staff/x', 'deny'],
    ['emails: listed, another case', user([], 'ADA@example.com'), 'GET', '/team', 'allow'],
    ['emails: not listed', user([], 'eve@example.com'), 'GET', '/team', 'deny'],
    ['emails: no email', user([]), 'GET', '/team', 'deny'],
    ['email_domains: in any case', user([], 'eve@EXAMPLE.com'), 'GET', '/corp/x', 'allow'],
    ['all/any/not: domain and group a', user(['a', 'b'], 'x@example.com'), 'GET', '/mixed', 'allow'],
    ['all/any/not: domain and not b', user([], 'x@example.com'), 'GET', '/mixed', 'allow'],
    ['all/any/not: domain, b and not a', user(['b'], 'x@example.com'), 'GET', '/mixed', 'deny'],
    ['all/any/not: wrong domain', user(['a'], 'x@example.org'), 'GET', '/mixed', 'deny'],
    ['seed keys in a rule: group', user(['analysts']), 'GET', '/reports', 'allow'],
    ['seed keys in a rule: user', user([], 'Bob@Example.org'), 'GET', '/reports/q1', 'allow'],
    ['seed keys in a rule: neither', user([], 'eve@example.org'), 'GET', '/reports', 'deny'],
    ['seed keys in a rule, require_all: one only', user(['analysts']), 'GET', '/both', 'deny'],
    [
      'seed keys in a rule, require_all: both',
      user(['analysts'], 'bob@example.org'),
      'GET',
      '/both',
      'allow',
    ],
    ['deny', user(['admins', 'mfa']), 'GET', '/closed', 'deny'],
    ['default holds', user([]), 'GET', '/elsewhere', 'allow'],
    ['default fails', user(['banned']), 'GET', '/elsewhere', 'deny'],
  ];
  for (const [name, who, method, path, expected] of cases)
    assert.equal(kind(RICH, who, path, method), expected, name);
});

test('first match wins: the same rules in the other order decide otherwise', () => {
  const [specific, general] = RICH.rules;
  const reversed = { rules: [general, specific] };
  assert.equal(kind(RICH, user([]), '/docs/private'), 'deny');
  assert.equal(kind(reversed, user([]), '/docs/private'), 'allow');
});

test('the default: "authenticated" when absent, "deny" or a seed condition when given', () => {
  assert.equal(kind({ public: ['/healthz'] }, user([]), '/x'), 'allow');
  const denying = { rules: [{ path: '/app', allow: 'authenticated' }], default: 'deny' };
  assert.equal(kind(denying, user(['admins']), '/other'), 'deny');
  assert.equal(kind(denying, user([]), '/app/page'), 'allow');
  assert.equal(kind(denying, undefined, '/other'), 'sign-in');
  const seedDefault = { default: { allowed_groups: ['x'] } };
  assert.equal(kind(seedDefault, user(['x']), '/'), 'allow');
  assert.equal(kind(seedDefault, user(['y']), '/'), 'deny');
});

test('email domains match exactly: no look-alikes, no subdomains', () => {
  const doc = { default: { email_domains: ['example.com'] } };
  const cases: [string | undefined, AccessDecision['kind']][] = [
    ['ada@example.com', 'allow'],
    ['Ada@EXAMPLE.COM', 'allow'],
    ['ada@evil-example.com', 'deny'],
    ['ada@notexample.com', 'deny'],
    ['ada@example.com.evil.com', 'deny'],
    ['ada@sub.example.com', 'deny'],
    ['ada@example.co', 'deny'],
    ['"ada@example.com"@evil.com', 'deny'],
    ['ada@example.com@evil.com', 'deny'],
    ['ada@example.com ', 'deny'],
    ['example.com', 'deny'],
    ['@example.com', 'deny'],
    [undefined, 'deny'],
  ];
  for (const [email, expected] of cases)
    assert.equal(kind(doc, user([], email), '/'), expected, String(email));
});
