// Test set-up: a passkey registered for a user of the harness's pool, through the emulator's real WebAuthn
// registration (the software authenticator), as the account page would with a browser.
import {
  CompleteWebAuthnRegistrationCommand,
  InitiateAuthCommand,
  StartWebAuthnRegistrationCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { secretHash } from '../../src/cognito/secret-hash.ts';
import { adminClient } from './admin.ts';
import type { Harness } from './harness.ts';
import { SoftAuthenticator } from './soft-authenticator.ts';

/** Signs `email` in at the emulator and registers a passkey on a new software authenticator, which it returns. */
export async function registerPasskey(
  h: Harness,
  email: string,
  password: string,
): Promise<SoftAuthenticator> {
  const client = adminClient(h.emulator.endpoint);
  const signedIn = await client.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: h.pool.clientId,
      AuthParameters: {
        USERNAME: email,
        PASSWORD: password,
        SECRET_HASH: secretHash(email, h.pool.clientId, h.pool.clientSecret),
      },
    }),
  );
  const token = signedIn.AuthenticationResult?.AccessToken;
  if (!token) throw new Error(`${email}: no access token`);
  const start = await client.send(new StartWebAuthnRegistrationCommand({ AccessToken: token }));
  const options = start.CredentialCreationOptions as unknown as PublicKeyCredentialCreationOptionsJSON;
  const authenticator = new SoftAuthenticator();
  const { response } = authenticator.register(options, 'http://localhost');
  await client.send(
    new CompleteWebAuthnRegistrationCommand({
      AccessToken: token,
      Credential: response as unknown as Record<string, never>,
    }),
  );
  return authenticator;
}
