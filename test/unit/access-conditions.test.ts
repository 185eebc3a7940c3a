// Conditions of an access rules document, one at a time: what each means for a signed-in user, and how a wrong one
// is refused (no condition, and exactly the problems it has, named by key path).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { conditionHolds, parseCondition, parseSeed, type Condition } from '../../src/access/conditions.ts';
import { Problems } from '../../src/access/problems.ts';

/** The condition `value` parses to, and the problems it has. */
function parsed(value: unknown): { condition: Condition | undefined; problems: string[] } {
  const problems = new Problems();
  const condition = parseCondition(value, 'allow', problems);
  return { condition, problems: problems.list };
}

/** Parses `value`, which must be valid, and evaluates it for a user in `groups` with `email`. */
function holds(value: unknown, groups: string[], email?: string): boolean {
  const { condition, problems } = parsed(value);
  assert.deepEqual(problems, []);
  return conditionHolds(condition!, { groups, email });
}

describe('what a condition means', () => {
  test('groups.none: in none of the groups listed, not merely outside one of them', () => {
    const none = { groups: { none: ['contractors', 'suspended'] } };
    assert.equal(holds(none, ['staff']), true);
    assert.equal(holds(none, ['staff', 'contractors']), false);
    assert.equal(holds(none, ['suspended']), false);
  });

  test('groups.any, all and none together must all hold', () => {
    const value = { groups: { any: ['a', 'b'], all: ['c'], none: ['d'] } };
    assert.equal(holds(value, ['b', 'c']), true);
    assert.equal(holds(value, ['b']), false);
    assert.equal(holds(value, ['c']), false);
    assert.equal(holds(value, ['a', 'c', 'd']), false);
  });

  test('deny never holds, not even negated twice', () => {
    assert.equal(holds('deny', ['admins'], 'a@example.com'), false);
    assert.equal(holds({ not: { not: 'deny' } }, ['admins']), false);
    assert.equal(holds({ not: 'deny' }, []), true);
  });

  test('email_domains: the domain after the last @, in any case; no email holds nothing', () => {
    const value = { email_domains: ['example.com'] };
    assert.equal(holds(value, [], 'Ada@EXAMPLE.com'), true);
    assert.equal(holds(value, [], 'ada@evil.example.com'), false);
    assert.equal(holds(value, [], 'example.com@evil.test'), false);
    assert.equal(holds(value, []), false);
    assert.equal(holds(value, [], '@example.com'), false);
  });
});

describe('a wrong condition', () => {
  test('an email list with a bad address gives no condition, and names the entry', () => {
    const { condition, problems } = parsed({ emails: ['ok@example.com', 'nope'] });
    assert.equal(condition, undefined);
    assert.deepEqual(problems, ['allow.emails[1]: must be an email address']);
  });

  test('domain lists are named as such', () => {
    assert.deepEqual(parsed({ email_domains: 'example.com' }).problems, [
      'allow.email_domains: must be a list of domain names',
    ]);
    assert.deepEqual(parsed({ email_domains: ['@example.com'] }).problems, [
      'allow.email_domains[0]: must be a domain name such as example.com (no @, no wildcard)',
    ]);
  });

  test('an unknown key beside an operator is its one problem', () => {
    const { problems } = parsed({ groups: { any: ['a'] }, grups: 1 });
    assert.deepEqual(problems, [
      'allow.grups: unknown key (expected groups, emails, email_domains, all, any, not)',
    ]);
  });

  test('an object with only unknown keys: the unknown key, and nothing more', () => {
    const { condition, problems } = parsed({ grups: { any: ['a'] } });
    assert.equal(condition, undefined);
    assert.deepEqual(problems, [
      'allow.grups: unknown key (expected groups, emails, email_domains, all, any, not)',
    ]);
  });

  test('two operators in one object are refused', () => {
    const { condition, problems } = parsed({ emails: ['a@example.com'], email_domains: ['example.com'] });
    assert.equal(condition, undefined);
    assert.deepEqual(problems, [
      'allow: has emails and email_domains: one per object, combined with all or any',
    ]);
  });

  test('all or any with one wrong member gives no condition', () => {
    for (const op of ['all', 'any']) {
      const { condition, problems } = parsed({ [op]: ['authenticated', { groups: 'admins' }] });
      assert.equal(condition, undefined, op);
      assert.equal(problems.length, 1, problems.join('; '));
    }
  });

  test('groups must be an object of lists, each name non-empty', () => {
    const scalar = parsed({ groups: 'admins' });
    assert.equal(scalar.condition, undefined);
    assert.deepEqual(scalar.problems, [
      'allow.groups: must be an object with any, all and/or none, each a list of group names',
    ]);
    const emptyName = parsed({ groups: { any: [''] } });
    assert.equal(emptyName.condition, undefined);
    assert.deepEqual(emptyName.problems, ['allow.groups.any[0]: must be a group name']);
  });
});

describe('the seed format (allowed_groups, allowed_users)', () => {
  const seed = (value: Record<string, unknown>) => {
    const problems = new Problems();
    return { condition: parseSeed(value, 'rules[0]', problems), problems: problems.list };
  };

  test('one list alone is that one condition', () => {
    assert.deepEqual(seed({ allowed_groups: ['admins'] }), {
      condition: { kind: 'groups', any: ['admins'] },
      problems: [],
    });
    assert.deepEqual(seed({ allowed_users: ['Ada@Example.com'] }), {
      condition: { kind: 'emails', emails: new Set(['ada@example.com']) },
      problems: [],
    });
  });

  test('both lists: either, or both with require_all', () => {
    const groups = { kind: 'groups', any: ['admins'] };
    const emails = { kind: 'emails', emails: new Set(['ada@example.com']) };
    const both = { allowed_groups: ['admins'], allowed_users: ['ada@example.com'] };
    assert.deepEqual(seed(both).condition, { kind: 'any', of: [groups, emails] });
    assert.deepEqual(seed({ ...both, require_all: true }).condition, { kind: 'all', of: [groups, emails] });
  });

  test('a wrong list gives no condition, even beside a right one', () => {
    for (const value of [
      { allowed_groups: [''] },
      { allowed_users: ['nope'] },
      { allowed_groups: ['admins'], allowed_users: ['nope'] },
    ]) {
      const { condition, problems } = seed(value);
      assert.equal(condition, undefined, JSON.stringify(value));
      assert.equal(problems.length, 1, problems.join('; '));
    }
  });
});
