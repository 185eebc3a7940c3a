import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { startLocalCognito, type SentMessage } from '../../src/local-cognito/index.ts';
import { adminClient } from '../helpers/admin.ts';
import { secretHash } from '../../src/cognito/secret-hash.ts';

test('every message sent is also handed to onMessage (local mode prints the codes)', async () => {
  const seen: SentMessage[] = [];
  const emu = await startLocalCognito({ port: 0, onMessage: (m) => seen.push(m) });
  try {
    const pool = await emu.ensureLocalPool();
    const email = 'printed@example.com';
    await adminClient(emu.endpoint).send(
      new SignUpCommand({
        ClientId: pool.clientId,
        SecretHash: secretHash(email, pool.clientId, pool.clientSecret),
        Username: email,
        Password: 'Sunny-day-42',
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.to, email);
    assert.equal(seen[0]!.kind, 'SIGN_UP');
    assert.deepEqual(emu.messages(), seen);
  } finally {
    await emu.close();
  }
});
