// State and signing keys survive a restart on the same data dir.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InitiateAuthCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { startLocalCognito, type LocalCognito } from '../../src/local-cognito/index.ts';
import { hashFor, sdkClient } from './helpers.ts';

describe('local cognito: persistence', () => {
  const running: LocalCognito[] = [];
  let dir = '';
  after(async () => {
    await Promise.all(running.map((emu) => emu.close()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const jwksOf = async (emu: LocalCognito, poolId: string) =>
    await (await fetch(`${emu.endpoint}/${poolId}/.well-known/jwks.json`)).json();

  it('a restarted emulator keeps the pool, its users, messages and signing keys', async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-cognito-'));
    const first = await startLocalCognito({ port: 0, dataDir: join(dir, 'state') });
    running.push(first);
    const pool = await first.ensureLocalPool();
    const cognito = sdkClient(first);
    const email = 'kept@example.com';
    await cognito.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: email,
        Password: 'Kept-Password-1',
        SecretHash: hashFor(pool.clientSecret, email, pool.clientId),
      }),
    );
    cognito.destroy();
    const keysBefore = await jwksOf(first, pool.userPoolId);
    await first.close();
    running.pop();
    const files = await readdir(join(dir, 'state'));
    assert.deepEqual(files.sort(), ['keys.json', 'state.json']);
    assert.ok(!(await readFile(join(dir, 'state', 'state.json'), 'utf8')).includes('Kept-Password-1'));

    const second = await startLocalCognito({ port: 0, dataDir: join(dir, 'state') });
    running.push(second);
    assert.deepEqual(await second.ensureLocalPool(), pool);
    assert.deepEqual(await jwksOf(second, pool.userPoolId), keysBefore);
    assert.equal(second.messages().at(-1)?.to, email);
    const again = sdkClient(second);
    const out = await again.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: pool.clientId,
        AuthParameters: {
          USERNAME: pool.demoUser.email,
          PASSWORD: pool.demoUser.password,
          SECRET_HASH: hashFor(pool.clientSecret, pool.demoUser.email, pool.clientId),
        },
      }),
    );
    again.destroy();
    assert.ok(out.AuthenticationResult?.AccessToken);
  });
});
