// Test users with MFA set up through the real SDK against the emulator (as an admin would).
import {
  AdminCreateUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminUpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { adminClient, createConfirmedUser } from './admin.ts';
import type { Harness } from './harness.ts';

export const PASSWORD = 'Correct-horse-1';
let n = 0;

/** A confirmed user; with `phone`, a verified phone number too. */
export async function makeUser(h: Harness, tag: string, phone?: string): Promise<string> {
  const email = `${tag}-${++n}-${Date.now()}@example.com`;
  const client = adminClient(h.emulator.endpoint);
  await createConfirmedUser(client, h.pool.userPoolId, email, PASSWORD);
  if (phone) {
    await client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: h.pool.userPoolId,
        Username: email,
        UserAttributes: [
          { Name: 'phone_number', Value: phone },
          { Name: 'phone_number_verified', Value: 'true' },
        ],
      }),
    );
  }
  return email;
}

/** Turns SMS and/or email MFA on for `email`, with an optional preferred one. */
export async function enableMfa(
  h: Harness,
  email: string,
  methods: { sms?: boolean; email?: boolean },
  preferred?: 'sms' | 'email',
): Promise<void> {
  await adminClient(h.emulator.endpoint).send(
    new AdminSetUserMFAPreferenceCommand({
      UserPoolId: h.pool.userPoolId,
      Username: email,
      ...(methods.sms ? { SMSMfaSettings: { Enabled: true, PreferredMfa: preferred === 'sms' } } : {}),
      ...(methods.email ? { EmailMfaSettings: { Enabled: true, PreferredMfa: preferred === 'email' } } : {}),
    }),
  );
}

/** An admin-created user with a temporary password (FORCE_CHANGE_PASSWORD). */
export async function makeInvitedUser(h: Harness, tag: string, temporaryPassword: string): Promise<string> {
  const email = `${tag}-${++n}-${Date.now()}@example.com`;
  await adminClient(h.emulator.endpoint).send(
    new AdminCreateUserCommand({
      UserPoolId: h.pool.userPoolId,
      Username: email,
      TemporaryPassword: temporaryPassword,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  return email;
}
