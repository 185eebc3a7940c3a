// The local users file (LOCAL_USERS_FILE): its parser (JSON and YAML, every problem named) and its seeding into the
// emulator's pool (users, groups, attributes, passwords, MFA), which a second run leaves as it is.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminSetUserPasswordCommand,
  GetGroupCommand,
  InitiateAuthCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { startLocalCognito, type LocalCognito, type LocalPoolInfo } from '../../src/local-cognito/index.ts';
import {
  LocalUsersError,
  parseLocalUsers,
  parseLocalUsersText,
  readLocalUsersFile,
  type LocalUsersSpec,
  type SeededLocalUser,
} from '../../src/local-cognito/local-users.ts';
import { createConfirmedUser } from '../helpers/admin.ts';
import { claimsOf, failure, hashFor, sdkClient } from './helpers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = await mkdtemp(path.join(tmpdir(), 'local-users-'));
after(() => rm(dir, { recursive: true, force: true }));

/** The problems parseLocalUsers names for `document` (fails when it validates). */
function problemsOf(document: unknown): readonly string[] {
  try {
    parseLocalUsers(document);
  } catch (err) {
    assert.ok(err instanceof LocalUsersError, String(err));
    return err.problems;
  }
  assert.fail('expected the document to be refused');
}

const YAML_TEXT = `# a comment
groups: [admins, analysts]
users:
  - email: ada@example.com
    password: Correct-Horse-1
    groups: [admins]
    attributes: { name: Ada Lovelace, "custom:team": research, "custom:level": 3 }
    mfa: false
  - email: bob@example.com
    groups: [analysts, ops]
    mfa: true
`;

const EXPECTED: LocalUsersSpec = {
  groups: ['admins', 'analysts'],
  users: [
    {
      email: 'ada@example.com',
      password: 'Correct-Horse-1',
      groups: ['admins'],
      attributes: [
        { Name: 'name', Value: 'Ada Lovelace' },
        { Name: 'custom:team', Value: 'research' },
        { Name: 'custom:level', Value: '3' },
      ],
      mfa: 'off',
    },
    {
      email: 'bob@example.com',
      password: undefined,
      groups: ['analysts', 'ops'],
      attributes: [],
      mfa: 'email',
    },
  ],
};

describe('the local users file: parsing', () => {
  test('YAML and the same document as JSON give the same users; numbers become strings', () => {
    assert.deepEqual(parseLocalUsersText(YAML_TEXT, 'users.yaml'), EXPECTED);
    const json = JSON.stringify({
      _comment: 'keys starting with _ are comments',
      groups: ['admins', 'analysts'],
      users: [
        {
          email: 'ada@example.com',
          password: 'Correct-Horse-1',
          groups: ['admins'],
          attributes: { name: 'Ada Lovelace', 'custom:team': 'research', 'custom:level': 3 },
          mfa: false,
        },
        { email: 'bob@example.com', groups: ['analysts', 'ops'], mfa: true },
      ],
    });
    assert.deepEqual(parseLocalUsersText(json, 'users.json'), EXPECTED);
    // Any other name is read as YAML, which JSON is too.
    assert.deepEqual(parseLocalUsersText(`\uFEFF${json}`, 'users.txt'), EXPECTED);
  });

  test('the example file validates', async () => {
    const spec = await readLocalUsersFile(path.join(ROOT, 'examples', 'local-users.yaml'));
    assert.deepEqual(spec.groups, ['admins', 'analysts']);
    assert.deepEqual(
      spec.users.map((u) => [u.email, u.groups, u.mfa]),
      [
        ['ada@example.com', ['admins', 'analysts'], undefined],
        ['grace@example.com', ['analysts'], 'email'],
        ['linus@example.com', [], undefined],
      ],
    );
  });

  test('only groups, or an empty user list, is a valid file; sms MFA with a phone number too', () => {
    assert.deepEqual(parseLocalUsers({ groups: ['admins'] }), { groups: ['admins'], users: [] });
    assert.deepEqual(parseLocalUsers({ users: [] }), { groups: [], users: [] });
    const sms = parseLocalUsers({
      users: [{ email: 'a@example.com', attributes: { phone_number: '+14325551212' }, mfa: 'sms' }],
    });
    assert.equal(sms.users[0]?.mfa, 'sms');
  });

  test('the document itself: a mapping with users or groups, no other keys', () => {
    assert.deepEqual(problemsOf(null), ['the document must be a mapping with users (and optionally groups)']);
    assert.deepEqual(problemsOf([]), ['the document must be a mapping with users (and optionally groups)']);
    assert.deepEqual(problemsOf({}), ['must list users (and optionally groups)']);
    assert.deepEqual(problemsOf({ user: [] }), [
      'user: unknown key (expected groups, users)',
      'must list users (and optionally groups)',
    ]);
    assert.deepEqual(problemsOf({ users: { email: 'a@example.com' } }), [
      'users: must be a list of users, each with at least email',
    ]);
    assert.deepEqual(problemsOf({ groups: 'admins' }), ['groups: must be a list of group names']);
    assert.deepEqual(problemsOf({ groups: ['ok', 'two words', 3, ''] }), [
      'groups[1]: must be a group name (1 to 128 letters, digits or punctuation, no spaces)',
      'groups[2]: must be a group name (1 to 128 letters, digits or punctuation, no spaces)',
      'groups[3]: must be a group name (1 to 128 letters, digits or punctuation, no spaces)',
    ]);
    const many = Array.from({ length: 1001 }, (_, i) => ({ email: `u${i}@example.com` }));
    assert.deepEqual(problemsOf({ users: many }), ['users: must list at most 1000 users']);
  });

  test('every field of an entry is checked, each problem named by its entry and field', () => {
    const problems = problemsOf({
      users: [
        'ada@example.com',
        {},
        { email: 'not-an-email' },
        { email: 'a@example.com', passwrd: 'x' },
        { email: 'b@example.com', password: 12345678 },
        { email: 'c@example.com', password: '' },
        { email: 'd@example.com', groups: 'admins' },
        { email: 'e@example.com', groups: ['has space'] },
        { email: 'f@example.com', attributes: ['name'] },
        {
          email: 'g@example.com',
          attributes: {
            nickname: 'ok',
            favourite_colour: 'blue',
            'custom:this-name-is-far-too-long': 'x',
            sub: 'x',
            email: 'g2@example.com',
            email_verified: false,
            phone_number: '0123 456',
            phone_number_verified: 'yes',
            name: { first: 'G' },
            website: 'x'.repeat(2049),
          },
        },
        { email: 'h@example.com', mfa: 'maybe' },
        { email: 'i@example.com', mfa: 'totp' },
        { email: 'j@example.com', mfa: 'sms' },
        { email: 'A@Example.com' },
        { email: `${'x'.repeat(120)}@example.com` },
      ],
    });
    assert.deepEqual(problems, [
      'users[0]: must be a mapping with at least email',
      'users[1].email: is required',
      'users[2].email: must be an email',
      'users[3].passwrd: unknown key (expected email, password, groups, attributes, mfa)',
      'users[4].password: must be a string (quote it)',
      'users[5].password: must not be empty (leave it out to generate one)',
      'users[6].groups: must be a list of group names',
      'users[7].groups[0]: must be a group name (1 to 128 letters, digits or punctuation, no spaces)',
      'users[8].attributes: must be a mapping of attribute names to values, e.g. { name: Ada Lovelace }',
      'users[9].attributes.favourite_colour: not a standard attribute (custom ones start with custom:)',
      'users[9].attributes.custom:this-name-is-far-too-long: custom attribute names are custom: and 1 to 20 letters, digits, _, . or -',
      'users[9].attributes.sub: cannot be set: Cognito gives every user a sub',
      'users[9].attributes.email: give the address as the entry’s email instead',
      'users[9].attributes.email_verified: cannot be set: seeded users’ emails are always verified',
      'users[9].attributes.phone_number: must be a phone number in E.164 format, e.g. +14325551212',
      'users[9].attributes.phone_number_verified: must be true or false',
      'users[9].attributes.name: must be a string, number or true/false',
      'users[9].attributes.website: must be at most 2048 characters',
      'users[10].mfa: must be true (email codes), false, email or sms',
      'users[11].mfa: totp cannot be seeded (it needs your authenticator app): sign in and set it up on the account page',
      'users[12].mfa: sms needs attributes.phone_number',
      'users[13].email: the same email as users[3]',
      'users[14].email: must be an email',
    ]);
  });

  test('problems never quote the file’s values (passwords above all)', () => {
    const problems = problemsOf({ users: [{ email: 'x', password: 'Secret-Value-1', mfa: 'Secret-Mfa' }] });
    assert.doesNotMatch(problems.join('\n'), /Secret/);
  });

  test('malformed JSON and YAML are refused with where, not what', () => {
    const refused = (text: string, file: string) => {
      try {
        parseLocalUsersText(text, file);
      } catch (err) {
        assert.ok(err instanceof LocalUsersError);
        return err.message;
      }
      assert.fail('expected a refusal');
    };
    assert.equal(refused('{\n  "users": []\n} x', 'users.json'), 'not valid JSON (line 3 column 3)');
    assert.equal(refused('{\n  "users": [,]\n}', 'users.json'), 'not valid JSON');
    assert.match(
      refused('users:\n  - email: a@example.com\n   bad: [secret-thing', 'users.yaml'),
      /^not valid YAML: .* at line \d+ column \d+$/,
    );
    assert.doesNotMatch(refused('users: [secret-thing', 'users.yml'), /secret/);
    assert.match(refused('users: []\nusers: []\n', 'users.yaml'), /^not valid YAML: duplicate key/);
  });

  test('a file that cannot be read says why', async () => {
    const err = await failure(readLocalUsersFile(path.join(dir, 'missing.yaml')));
    assert.deepEqual(err, { name: 'LocalUsersError', message: 'cannot be read (ENOENT)' });
  });
});

/** An emulator with the seeded pool; `seed` applies a users spec the way local mode does. */
async function emulator(dataDir?: string) {
  const emu = await startLocalCognito({ port: 0, dataDir });
  const pool = await emu.ensureLocalPool();
  const cognito = sdkClient(emu);
  const seed = async (spec: LocalUsersSpec): Promise<SeededLocalUser[]> => {
    let seeded: SeededLocalUser[] | undefined;
    await emu.ensureLocalPool({ users: spec, onUsersSeeded: (users) => (seeded = users) });
    assert.ok(seeded, 'told what was seeded');
    return seeded;
  };
  return { emu, pool, cognito, seed };
}

async function signIn(
  cognito: CognitoIdentityProviderClient,
  pool: LocalPoolInfo,
  email: string,
  password: string,
) {
  return cognito.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: pool.clientId,
      AuthParameters: {
        USERNAME: email,
        PASSWORD: password,
        SECRET_HASH: hashFor(pool.clientSecret, email, pool.clientId),
      },
    }),
  );
}

const attributesOf = (
  list: { Name?: string; Value?: string }[] | undefined,
): Record<string, string | undefined> =>
  Object.fromEntries((list ?? []).map((a): [string, string | undefined] => [a.Name ?? '', a.Value]));

async function groupsOf(cognito: CognitoIdentityProviderClient, pool: LocalPoolInfo, email: string) {
  const out = await cognito.send(
    new AdminListGroupsForUserCommand({ UserPoolId: pool.userPoolId, Username: email }),
  );
  return (out.Groups ?? []).map((g) => g.GroupName);
}

describe('the local users file: seeding the emulator', () => {
  const running: { emu: LocalCognito; cognito: CognitoIdentityProviderClient }[] = [];
  after(async () => {
    for (const r of running) {
      r.cognito.destroy();
      await r.emu.close();
    }
  });
  const start = async (dataDir?: string) => {
    const e = await emulator(dataDir);
    running.push(e);
    return e;
  };

  test('creates groups and confirmed users with their groups and attributes; again, it changes nothing', async () => {
    const { pool, cognito, seed } = await start();
    const spec = parseLocalUsers({
      groups: ['admins', 'nobody-yet'],
      users: [
        {
          email: 'ada@example.com',
          password: 'Correct-Horse-1',
          groups: ['admins', 'analysts'],
          attributes: { name: 'Ada Lovelace', 'custom:team': 'research' },
        },
        { email: 'bob@example.com', groups: ['analysts'] },
      ],
    });
    const first = await seed(spec);
    assert.deepEqual(
      first.map((u) => [u.email, u.groups, u.created, u.passwordSource]),
      [
        ['ada@example.com', ['admins', 'analysts'], true, 'file'],
        ['bob@example.com', ['analysts'], true, 'generated'],
      ],
    );
    assert.equal(first[0]?.password, undefined, 'the file’s password is not repeated');
    const generated = first[1]?.password;
    assert.ok(generated, 'a generated password is reported');

    const get = async (email: string) => {
      const user = await cognito.send(
        new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: email }),
      );
      return { ...user, $metadata: undefined };
    };
    const ada = await get('ada@example.com');
    assert.equal(ada.UserStatus, 'CONFIRMED');
    assert.equal(ada.Username, first[0]?.username);
    assert.deepEqual(
      { ...attributesOf(ada.UserAttributes), sub: undefined },
      {
        sub: undefined,
        email: 'ada@example.com',
        email_verified: 'true',
        name: 'Ada Lovelace',
        'custom:team': 'research',
      },
    );
    assert.equal((await get('bob@example.com')).UserStatus, 'CONFIRMED');
    assert.deepEqual(await groupsOf(cognito, pool, 'ada@example.com'), ['admins', 'analysts']);
    assert.deepEqual(await groupsOf(cognito, pool, 'bob@example.com'), ['analysts']);
    const empty = await cognito.send(
      new GetGroupCommand({ UserPoolId: pool.userPoolId, GroupName: 'nobody-yet' }),
    );
    assert.equal(empty.Group?.GroupName, 'nobody-yet');

    // Both passwords work, and the tokens carry the groups and the custom attribute.
    const adaTokens = (await signIn(cognito, pool, 'ada@example.com', 'Correct-Horse-1'))
      .AuthenticationResult!;
    assert.deepEqual(claimsOf(adaTokens.IdToken!)['cognito:groups'], ['admins', 'analysts']);
    assert.equal(claimsOf(adaTokens.IdToken!)['custom:team'], 'research');
    assert.deepEqual(claimsOf(adaTokens.AccessToken!)['cognito:groups'], ['admins', 'analysts']);
    assert.ok((await signIn(cognito, pool, 'bob@example.com', generated)).AuthenticationResult);

    // The second start: the same users, nothing modified, the generated password still shown.
    const adaBefore = await get('ada@example.com');
    const bobBefore = await get('bob@example.com');
    const second = await seed(spec);
    assert.deepEqual(
      second.map((u) => [u.email, u.username, u.groups, u.created, u.passwordSource, u.password]),
      [
        ['ada@example.com', first[0]?.username, ['admins', 'analysts'], false, 'file', undefined],
        ['bob@example.com', first[1]?.username, ['analysts'], false, 'generated', generated],
      ],
    );
    assert.deepEqual(await get('ada@example.com'), adaBefore, 'ada unchanged');
    assert.deepEqual(await get('bob@example.com'), bobBefore, 'bob unchanged');
    assert.deepEqual(await groupsOf(cognito, pool, 'ada@example.com'), ['admins', 'analysts']);
    assert.ok((await signIn(cognito, pool, 'ada@example.com', 'Correct-Horse-1')).AuthenticationResult);
    assert.ok((await signIn(cognito, pool, 'bob@example.com', generated)).AuthenticationResult);
  });

  test('updates users that exist: groups added (none removed), attributes set, the password only when given', async () => {
    const { pool, cognito, seed } = await start();
    await createConfirmedUser(cognito, pool.userPoolId, 'carol@example.com', 'Own-Password-1');
    await seed(parseLocalUsers({ users: [{ email: 'carol@example.com', groups: ['old'] }] }));
    const [carol] = await seed(
      parseLocalUsers({
        users: [
          { email: 'Carol@Example.com', groups: ['admins'], attributes: { name: 'Carol', locale: 'de' } },
        ],
      }),
    );
    assert.deepEqual(
      [carol?.created, carol?.passwordSource, carol?.password, carol?.groups],
      [false, 'unchanged', undefined, ['old', 'admins']],
    );
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: 'carol@example.com' }),
    );
    assert.equal(attributesOf(user.UserAttributes).name, 'Carol');
    assert.equal(attributesOf(user.UserAttributes).locale, 'de');
    assert.ok((await signIn(cognito, pool, 'carol@example.com', 'Own-Password-1')).AuthenticationResult);

    await seed(parseLocalUsers({ users: [{ email: 'carol@example.com', password: 'Filed-Password-2' }] }));
    assert.ok((await signIn(cognito, pool, 'carol@example.com', 'Filed-Password-2')).AuthenticationResult);
    await assert.rejects(signIn(cognito, pool, 'carol@example.com', 'Own-Password-1'));

    // The demo user may be given groups, not a password (local mode prints its own).
    await seed(parseLocalUsers({ users: [{ email: pool.demoUser.email, groups: ['admins'] }] }));
    assert.deepEqual(await groupsOf(cognito, pool, pool.demoUser.email), ['demo', 'admins']);
  });

  test('mfa: true asks for an email code at sign-in; false turns it off again; sms asks for a text', async () => {
    const { pool, cognito, seed } = await start();
    const user = (mfa: boolean) => ({
      users: [{ email: 'eve@example.com', password: 'Correct-Horse-1', mfa }],
    });
    const [eve] = await seed(parseLocalUsers(user(true)));
    assert.equal(eve?.mfa, 'email');
    const challenged = await signIn(cognito, pool, 'eve@example.com', 'Correct-Horse-1');
    assert.equal(challenged.ChallengeName, 'EMAIL_OTP');
    const got = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: 'eve@example.com' }),
    );
    assert.equal(got.PreferredMfaSetting, 'EMAIL_OTP');
    await seed(parseLocalUsers(user(false)));
    const direct = await signIn(cognito, pool, 'eve@example.com', 'Correct-Horse-1');
    assert.equal(direct.ChallengeName, undefined);
    assert.ok(direct.AuthenticationResult);

    await seed(
      parseLocalUsers({
        users: [{ email: 'eve@example.com', attributes: { phone_number: '+14325551212' }, mfa: 'sms' }],
      }),
    );
    const sms = await signIn(cognito, pool, 'eve@example.com', 'Correct-Horse-1');
    assert.equal(sms.ChallengeName, 'SMS_MFA');
  });

  test('a password the pool refuses, or one for the demo user, stops seeding before anything changes', async () => {
    const { emu, pool, cognito } = await start();
    const refused = await failure(
      emu.ensureLocalPool({
        users: parseLocalUsers({
          groups: ['never'],
          users: [
            { email: 'new@example.com', groups: ['never'] },
            { email: 'weak@example.com', password: 'weakpassword' },
            { email: pool.demoUser.email, password: 'Correct-Horse-1' },
          ],
        }),
      }),
    );
    assert.deepEqual(refused, {
      name: 'LocalUsersError',
      message:
        'users[1].password: Password did not conform with policy: Password must have uppercase characters; ' +
        'users[2].password: the demo user’s password is local mode’s own: leave it out',
    });
    await assert.rejects(
      cognito.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: 'new@example.com' })),
      { name: 'UserNotFoundException' },
    );
    await assert.rejects(
      cognito.send(new GetGroupCommand({ UserPoolId: pool.userPoolId, GroupName: 'never' })),
      {
        name: 'ResourceNotFoundException',
      },
    );
    assert.ok(
      (await signIn(cognito, pool, pool.demoUser.email, pool.demoUser.password)).AuthenticationResult,
    );
  });

  test('generated passwords are shown again after a restart, until the user changes theirs', async () => {
    const dataDir = path.join(dir, 'state');
    const spec = parseLocalUsers({
      users: [
        { email: 'gen@example.com', groups: ['g'] },
        { email: 'filed@example.com', password: 'Filed-Secret-9' },
      ],
    });
    const first = await start(dataDir);
    const [created] = await first.seed(spec);
    assert.equal(created?.passwordSource, 'generated');
    const generated = created.password;
    assert.ok(generated);
    first.cognito.destroy();
    await first.emu.close();
    running.splice(running.indexOf(first), 1);
    assert.ok(
      !(await readFile(path.join(dataDir, 'state.json'), 'utf8')).includes('Filed-Secret-9'),
      'only generated passwords are kept, never the file’s',
    );

    const second = await start(dataDir);
    const [again] = await second.seed(spec);
    assert.deepEqual(
      [again?.created, again?.passwordSource, again?.password],
      [false, 'generated', generated],
    );
    assert.ok((await signIn(second.cognito, second.pool, 'gen@example.com', generated)).AuthenticationResult);

    await second.cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: second.pool.userPoolId,
        Username: 'gen@example.com',
        Password: 'Changed-Password-1',
        Permanent: true,
      }),
    );
    const [changed] = await second.seed(spec);
    assert.deepEqual([changed?.passwordSource, changed?.password], ['unchanged', undefined]);
  });

  test('a users file written to disk seeds as local mode reads it', async () => {
    const file = path.join(dir, 'users.yaml');
    await writeFile(file, YAML_TEXT);
    const { pool, cognito, seed } = await start();
    const seeded = await seed(await readLocalUsersFile(file));
    assert.deepEqual(
      seeded.map((u) => [u.email, u.groups, u.mfa]),
      [
        ['ada@example.com', ['admins'], 'off'],
        ['bob@example.com', ['analysts', 'ops'], 'email'],
      ],
    );
    const got = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: 'ada@example.com' }),
    );
    assert.equal(attributesOf(got.UserAttributes)['custom:level'], '3');
  });
});
