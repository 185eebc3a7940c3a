// Access rules and path tricks: dot segments, encoded slashes and dots, case, parameters never reach a laxer rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type AccessDecision, decide } from '../../src/access/access-rules.ts';
import { pathReadings } from '../../src/access/request-path.ts';
import { parseAccessRules } from '../../src/access/rules-format.ts';

const RULES = parseAccessRules({
  public: ['/public/', '/healthz'],
  rules: [
    { path: '/admin', allow: { groups: { any: ['admins'] } } },
    { path: '/docs', allow: 'authenticated' },
  ],
  default: 'authenticated',
});
const STAFF = { groups: ['staff'], email: 'sam@example.com' };
const ADMIN = { groups: ['admins'], email: 'ada@example.com' };
type Who = typeof STAFF | undefined;

const kind = (who: Who, path: string, rules = RULES): AccessDecision['kind'] =>
  decide(rules, { identity: who, method: 'GET', path }).kind;

test('a path dressed up to look public, or not admin, is judged as the admin path it may be read as', () => {
  const tricks = [
    '/admin',
    '/admin/',
    '/admin/users',
    '/public/../admin',
    '/public/../admin/users',
    '/public/./../admin',
    '/public/%2e%2e/admin',
    '/public/%2E%2E/admin',
    '/public/.%2e/admin',
    '/public/%2e./admin',
    '/public/..%2Fadmin',
    '/public/..%2fadmin',
    '/public%2F..%2Fadmin',
    '/public/..%5Cadmin',
    '/public\\..\\admin',
    '/public/..;/admin',
    '/public;x=1/../admin',
    '/public/%252e%252e/admin',
    '/public/%252e%252e%252fadmin',
    '/healthz/../admin',
    '/docs/../admin',
    '/public//../admin',
    '//admin',
    '/./admin',
    '/%61dmin',
    '/%61%64%6d%69%6e/users',
    '/ADMIN',
    '/Admin/users',
    '/admin;jsessionid=1',
    '/admin%2Fusers',
    '/x/../admin',
    '/x/%2e%2e/admin',
    '/admin?x=/public/',
  ];
  for (const path of tricks) {
    assert.equal(kind(STAFF, path), 'deny', `staff at ${path}`);
    assert.equal(kind(undefined, path), 'sign-in', `anonymous at ${path}`);
    assert.equal(kind(ADMIN, path), 'allow', `admin at ${path}`);
  }
});

test('paths that cannot be read safely are denied, signed in or not', () => {
  const unsafe = [
    'admin',
    '',
    '*',
    'http://evil.example/admin',
    '/public/%00',
    '/public/%0a/x',
    '/public/%0D%0A',
    '/public/%7f',
    '/public/%zz',
    '/public/%2',
    '/public/a b',
    '/public/a\tb',
    '/public/%2500',
    `/public/${'a'.repeat(9000)}`,
    '/public/a\\b%5Cc%2Fd;e//f/../'.repeat(200),
  ];
  for (const path of unsafe) {
    assert.equal(kind(undefined, path), 'deny', `anonymous at ${JSON.stringify(path.slice(0, 40))}`);
    assert.equal(kind(ADMIN, path), 'deny', `admin at ${JSON.stringify(path.slice(0, 40))}`);
  }
});

test('ordinary paths, encoded or with a query, decide as they read', () => {
  const cases: [Who, string, AccessDecision['kind']][] = [
    [undefined, '/public/app.js', 'public'],
    [undefined, '/public/%7Euser/a%20b.txt', 'public'],
    [undefined, '/public/app.js?next=/admin', 'public'],
    [undefined, '/public/app.js#/admin', 'public'],
    [undefined, '/public/%2e%2e', 'sign-in'],
    [undefined, '/public/x/../y', 'public'],
    [undefined, '/%70ublic/app.js', 'public'],
    [undefined, '/public', 'sign-in'],
    [STAFF, '/administrator', 'allow'],
    [STAFF, '/docs/%2Fthing', 'allow'],
    [STAFF, '/docs/a;b', 'allow'],
    [STAFF, '/api/projects/group%2Fproject', 'allow'],
    [STAFF, '/', 'allow'],
  ];
  for (const [who, path, expected] of cases) assert.equal(kind(who, path), expected, path);
});

test('case: a lower-case request cannot slip past a mixed-case rule, nor an upper-case one past a lower-case rule', () => {
  const rules = parseAccessRules({
    rules: [
      { path: '/App', allow: 'authenticated' },
      { path: '/secret', allow: { groups: { any: ['admins'] } } },
    ],
    default: 'deny',
  });
  assert.equal(kind(STAFF, '/App/page', rules), 'allow');
  assert.equal(kind(STAFF, '/app/page', rules), 'deny');
  assert.equal(kind(STAFF, '/SECRET', rules), 'deny');
  // Under a case-sensitive upstream /SECRET is another path, which the default denies: the stricter reading wins.
  assert.equal(kind(ADMIN, '/SECRET', rules), 'deny');
  assert.equal(kind(ADMIN, '/secret', rules), 'allow');
});

test('an ordinary path has one reading; a tricky one has each way of reading it', () => {
  assert.deepEqual(pathReadings('/a/b?c=1'), ['/a/b']);
  assert.deepEqual(pathReadings('/%7Ea/%41'), ['/~a/A']);
  const readings = pathReadings('/a/..%2Fb')!;
  assert.ok(readings.includes('/a/..%2Fb') && readings.includes('/b'), readings.join(' '));
  assert.ok(pathReadings('/a//../b')!.includes('/a/b') && pathReadings('/a//../b')!.includes('/b'));
  assert.equal(pathReadings('/a%zz'), undefined);
});

const RANK: readonly AccessDecision['kind'][] = ['public', 'allow', 'sign-in', 'deny'];
const SEGMENTS = [
  'public',
  'admin',
  'Admin',
  'docs',
  'healthz',
  'x',
  '',
  '.',
  '..',
  '%2e',
  '%2E%2e',
  '.%2e',
  '..;',
  'a;b=c',
  '%2f',
  '%5C',
  '\\',
  '%61dmin',
  '%252e%252e',
  '%20',
  '%zz',
  '%00',
  'caf\u00e9',
  'caf%C3%A9',
  'a"b',
  'a%7cb',
  'a|b',
];

test('property: no path is judged laxer than the normalised path a WHATWG URL parser makes of it', () => {
  const path = fc
    .array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 7 })
    .chain((segments) =>
      fc
        .array(fc.constantFrom('/', '/', '/', '%2F', '\\'), {
          minLength: segments.length,
          maxLength: segments.length,
        })
        .map((seps) => segments.map((s, i) => `${seps[i]}${s}`).join('')),
    )
    .map((p) => (p.startsWith('/') ? p : `/${p}`));
  fc.assert(
    fc.property(path, fc.constantFrom<Who>(undefined, STAFF, ADMIN), (raw, who) => {
      const normalised = new URL(`http://h${raw}`).pathname;
      const rawRank = RANK.indexOf(kind(who, raw));
      const normalisedRank = RANK.indexOf(kind(who, normalised));
      return rawRank >= normalisedRank;
    }),
    { numRuns: 3000 },
  );
});

test('property: any string at all gets one of the four answers, never an exception', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), fc.constantFrom<Who>(undefined, STAFF), (raw, who) => {
      assert.ok(RANK.includes(kind(who, raw)));
      assert.ok(RANK.includes(kind(who, `/${raw}`)));
    }),
    { numRuns: 2000 },
  );
});
