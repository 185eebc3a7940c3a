// Access rules documents that are wrong: refused, every problem named by the path of its key, never its value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccessRulesError, parseAccessRules } from '../../src/access/rules-format.ts';

/** The problems parseAccessRules reports for `doc` (fails when it accepts it). */
function problemsOf(doc: unknown): readonly string[] {
  try {
    parseAccessRules(doc);
  } catch (err) {
    assert.ok(err instanceof AccessRulesError, String(err));
    assert.equal(err.message, err.problems.join('; '));
    return err.problems;
  }
  assert.fail(`accepted ${JSON.stringify(doc)}`);
}

test('seed documents that are wrong are refused, naming the key and never the value', () => {
  const cases: [unknown, RegExp][] = [
    [{}, /at least one of allowed_groups, allowed_users/],
    [{ require_all: true }, /^must specify at least one of allowed_groups, allowed_users$/],
    [{ allowed_groups: [], allowed_users: null }, /at least one of allowed_groups, allowed_users/],
    [{ allowed_users: ['ok@example.com', 'not-an-email'] }, /^allowed_users\[1\]: must be an email address$/],
    [{ allowed_groups: 'admins' }, /^allowed_groups: must be a list of group names$/],
    [{ allowed_groups: ['admins', 7] }, /^allowed_groups\[1\]: must be a string$/],
    [{ allowed_groups: ['a'], require_all: 'false' }, /^require_all: must be true or false$/],
    [{ allowed_groups: ['a'], alowed_users: ['a@b.com'] }, /^alowed_users: unknown key/],
    [[], /must be an object/],
    [null, /must be an object/],
    ['allowed_groups', /must be an object/],
  ];
  for (const [doc, expected] of cases) {
    const problems = problemsOf(doc);
    assert.ok(
      problems.some((p) => expected.test(p)),
      `${JSON.stringify(doc)}: ${problems.join('; ')}`,
    );
    assert.ok(!problems.join().includes('not-an-email'));
  }
});

test('rules documents that are wrong are refused, each problem named by the path of its key', () => {
  const ok = { path: '/ok', allow: 'authenticated' };
  const cases: [unknown, RegExp][] = [
    [
      { rules: [ok, ok, { path: '/x', allow: { groups: { any: 'admins' } } }] },
      /^rules\[2\]\.allow\.groups\.any: must be a list of group names$/,
    ],
    [
      { rules: [{ path: '/x', allow: { groups: { some: ['a'] } } }] },
      /^rules\[0\]\.allow\.groups\.some: unknown key \(expected any, all, none\)$/,
    ],
    [{ rules: [{ path: '/x', alow: 'authenticated' }] }, /^rules\[0\]\.alow: unknown key/],
    [{ rules: [{ path: '/x', alow: 'authenticated' }] }, /^rules\[0\]: needs allow/],
    [{ publik: ['/x'], rules: [] }, /^publik: unknown key/],
    [{ rules: [{ path: 'admin', allow: 'deny' }] }, /^rules\[0\]\.path: must start with \/$/],
    [{ rules: [{ allow: 'deny' }] }, /^rules\[0\]\.path: is required/],
    [{ public: ['/ok', 'static/'] }, /^public\[1\]: must start with \/$/],
    [{ public: '/healthz' }, /^public: must be a list of paths/],
    [{ public: ['/a/../b'] }, /^public\[0\]: must be a plain path/],
    [{ public: ['/a//b'] }, /^public\[0\]: must be a plain path/],
    [{ public: ['/a%2Fb'] }, /^public\[0\]: must be a plain path/],
    [{ public: ['/a?b=1'] }, /^public\[0\]: must be a path without query/],
    [
      { rules: [{ path: '/x', methods: ['GET', 'GE T'], allow: 'deny' }] },
      /^rules\[0\]\.methods\[1\]: must be an HTTP method/,
    ],
    [
      { rules: [{ path: '/x', methods: [], allow: 'deny' }] },
      /^rules\[0\]\.methods: must be a non-empty list/,
    ],
    [
      { rules: [{ path: '/x', allow: 'deny', allowed_groups: ['a'] }] },
      /^rules\[0\]: give either allow or allowed_groups/,
    ],
    [
      { rules: [{ path: '/x', allowed_users: ['nope'] }] },
      /^rules\[0\]\.allowed_users\[0\]: must be an email address$/,
    ],
    [{ rules: 'all' }, /^rules: must be a list of rules/],
    [{ rules: ['/x'] }, /^rules\[0\]: must be an object/],
    [{ default: 'allow' }, /^default: must be "authenticated", "deny" or an object/],
    [{ default: { emails: [] } }, /^default\.emails: must not be empty/],
    [{ default: { emails: ['ada@example'] } }, /^default\.emails\[0\]: must be an email address$/],
    [{ default: { email_domains: ['@example.com'] } }, /^default\.email_domains\[0\]: must be a domain name/],
    [
      { default: { email_domains: ['*.example.com'] } },
      /^default\.email_domains\[0\]: must be a domain name/,
    ],
    [{ default: { email_domains: ['example'] } }, /^default\.email_domains\[0\]: must be a domain name/],
    [{ default: { groups: {} } }, /^default\.groups: must be an object with any, all and\/or none/],
    [{ default: { all: [] } }, /^default\.all: must be a non-empty list of conditions$/],
    [
      { default: { any: ['authenticated', { not: 'maybe' }] } },
      /^default\.any\[1\]\.not: must be "authenticated"/,
    ],
    [
      { default: { not: { all: [{ groups: { none: [''] } }] } } },
      /^default\.not\.all\[0\]\.groups\.none\[0\]: must be a group name$/,
    ],
    [
      { default: { groups: { any: ['a'] }, emails: ['a@b.com'] } },
      /^default: has groups and emails: one per object/,
    ],
    [{ default: {} }, /^default: must be "authenticated"/],
    [{ default: { allowed_groups: ['a'], groups: { any: ['b'] } } }, /^default\.groups: unknown key/],
    [{ allowed_groups: ['a'], rules: [] }, /^allowed_groups: cannot be mixed with public, rules and default/],
  ];
  for (const [doc, expected] of cases) {
    const problems = problemsOf(doc);
    assert.ok(
      problems.some((p) => expected.test(p)),
      `${JSON.stringify(doc)}: ${problems.join('; ')}`,
    );
  }
});

test('every problem of a document is reported at once, comments ignored', () => {
  const problems = problemsOf({
    _comment: 'fine',
    public: ['nope'],
    rules: [
      { path: '/x', allow: { emails: 'ada@example.com' } },
      { _note: 'fine', path: '/y', allow: 'deny' },
    ],
    default: 'maybe',
  });
  assert.deepEqual(problems, [
    'public[0]: must start with /',
    'rules[0].allow.emails: must be a list of email addresses',
    'default: must be "authenticated", "deny" or an object with one of groups, emails, email_domains, all, any, not (or allowed_groups, allowed_users, require_all)',
  ]);
});
