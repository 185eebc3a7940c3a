// The local users file (LOCAL_USERS_FILE) seeded through the emulator's own admin operations, at every start.
import { CognitoError } from './errors.ts';
import { findUser, getAttr, getPool, type OpContext } from './operations/context.ts';
import { adminAddUserToGroup, createGroup } from './operations/groups.ts';
import {
  adminConfirmSignUp,
  adminCreateUser,
  adminSetUserMfaPreference,
  adminSetUserPassword,
  adminUpdateUserAttributes,
} from './operations/users.ts';
import { checkPassword, generatePassword, verifyPassword } from './password.ts';
import type { PoolRecord, UserRecord } from './state.ts';

import {
  LocalUsersError,
  Problems,
  type LocalUserMfa,
  type LocalUserSpec,
  type LocalUsersSpec,
  type SeededLocalUser,
} from './local-users-file.ts';

export * from './local-users-file.ts';

/** Generated passwords seeding remembers (by the user's sub), so every start can print them again. */
export type RememberedPasswords = Record<string, string>;

const hasMfa = (user: UserRecord, mfa: LocalUserMfa): boolean => {
  const m = user.mfa;
  if (mfa === 'off') return !m.smsEnabled && !m.totpEnabled && !m.emailEnabled;
  if (mfa === 'email') return m.emailEnabled && m.emailPreferred;
  return m.smsEnabled && m.smsPreferred;
};

function mfaInput(mfa: LocalUserMfa): Record<string, unknown> {
  if (mfa === 'off') {
    const off = { Enabled: false, PreferredMfa: false };
    return { SMSMfaSettings: off, SoftwareTokenMfaSettings: off, EmailMfaSettings: off };
  }
  const on = { Enabled: true, PreferredMfa: true };
  return mfa === 'email' ? { EmailMfaSettings: on } : { SMSMfaSettings: on };
}

/** What the pool's rules say about the file before anything changes, so a bad file changes nothing. */
function checkAgainstPool(pool: PoolRecord, spec: LocalUsersSpec, demoEmail: string | undefined): void {
  const problems = new Problems();
  spec.users.forEach((user, i) => {
    if (user.password !== undefined) {
      if (demoEmail !== undefined && user.email.toLowerCase() === demoEmail.toLowerCase()) {
        problems.add(`users[${i}].password`, 'the demo user’s password is local mode’s own: leave it out');
        return;
      }
      try {
        checkPassword(pool.passwordPolicy, user.password);
      } catch (err) {
        problems.add(`users[${i}].password`, (err as Error).message);
      }
    }
  });
  if (problems.list.length > 0) throw new LocalUsersError(problems.list);
}

async function seedUser(
  ctx: OpContext,
  pool: PoolRecord,
  spec: LocalUserSpec,
  remembered: RememberedPasswords,
): Promise<SeededLocalUser> {
  const UserPoolId = pool.id;
  const existing = findUser(pool, spec.email);
  let generated: string | undefined;
  if (!existing) {
    generated = spec.password === undefined ? generatePassword(pool.passwordPolicy) : undefined;
    await adminCreateUser(ctx, {
      UserPoolId,
      Username: spec.email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: spec.email },
        { Name: 'email_verified', Value: 'true' },
        ...spec.attributes,
      ],
    });
  }
  const user = findUser(pool, spec.email)!;
  if (existing) {
    const changed = [{ Name: 'email_verified', Value: 'true' }, ...spec.attributes].filter(
      (a) => getAttr(user, a.Name) !== a.Value,
    );
    if (changed.length > 0)
      adminUpdateUserAttributes(ctx, { UserPoolId, Username: spec.email, UserAttributes: changed });
    // Signed up but never confirmed: seeded users are confirmed.
    if (user.status === 'UNCONFIRMED') adminConfirmSignUp(ctx, { UserPoolId, Username: spec.email });
  }
  const password = spec.password ?? generated;
  if (password !== undefined) {
    const same = user.status === 'CONFIRMED' && (await verifyPassword(password, user.passwordHash));
    if (!same)
      await adminSetUserPassword(ctx, {
        UserPoolId,
        Username: spec.email,
        Password: password,
        Permanent: true,
      });
  }
  for (const group of spec.groups) {
    if (!user.groups.includes(group))
      adminAddUserToGroup(ctx, { UserPoolId, Username: spec.email, GroupName: group });
  }
  if (spec.mfa !== undefined && !hasMfa(user, spec.mfa)) {
    adminSetUserMfaPreference(ctx, { UserPoolId, Username: spec.email, ...mfaInput(spec.mfa) });
  }

  let passwordSource: SeededLocalUser['passwordSource'] = 'unchanged';
  let shown: string | undefined;
  if (spec.password !== undefined) {
    passwordSource = 'file';
    delete remembered[user.sub];
  } else if (generated !== undefined) {
    remembered[user.sub] = generated;
    passwordSource = 'generated';
    shown = generated;
  } else {
    const earlier = remembered[user.sub];
    if (earlier !== undefined && (await verifyPassword(earlier, user.passwordHash))) {
      passwordSource = 'generated';
      shown = earlier;
    } else if (earlier !== undefined) {
      delete remembered[user.sub]; // changed since: it is the user's now
    }
  }
  return {
    email: getAttr(user, 'email') ?? spec.email,
    username: user.username,
    groups: [...user.groups],
    created: !existing,
    passwordSource,
    password: shown,
    mfa: spec.mfa,
  };
}

/**
 * Seeds `spec` into the pool `userPoolId` with the emulator's admin operations: groups created when missing, users
 * created (email as the sign-in name, email verified, confirmed) or updated (groups added, never removed;
 * attributes set; the password set only when the file gives one; MFA only when the file says). Doing it again
 * changes nothing. Passwords generated for new users are kept in `remembered` (by sub) and reported as long as
 * they still work. Throws LocalUsersError (and changes nothing) when a password breaks the pool's policy or is
 * given for the demo user (`demoEmail`).
 */
export async function seedLocalUsers(
  ctx: OpContext,
  userPoolId: string,
  spec: LocalUsersSpec,
  remembered: RememberedPasswords,
  demoEmail?: string,
): Promise<SeededLocalUser[]> {
  const pool = getPool(ctx, userPoolId);
  checkAgainstPool(pool, spec, demoEmail);
  const groups = [...spec.groups];
  for (const user of spec.users) for (const g of user.groups) if (!groups.includes(g)) groups.push(g);
  const seeded: SeededLocalUser[] = [];
  try {
    for (const name of groups) {
      if (!pool.groups.has(name)) createGroup(ctx, { UserPoolId: userPoolId, GroupName: name });
    }
    for (const [i, user] of spec.users.entries()) {
      try {
        seeded.push(await seedUser(ctx, pool, user, remembered));
      } catch (err) {
        if (!(err instanceof CognitoError)) throw err;
        throw new LocalUsersError([`users[${i}]: ${err.message.trim()}`]);
      }
    }
  } finally {
    ctx.store.changed();
    await ctx.store.flush();
  }
  ctx.logger?.info('local-cognito: seeded the local users', {
    users: seeded.length,
    created: seeded.filter((u) => u.created).length,
  });
  return seeded;
}
