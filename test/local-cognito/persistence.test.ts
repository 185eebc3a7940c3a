// State and signing keys survive a restart on the same data dir.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InitiateAuthCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { startLocalCognito, type LocalCognito } from '../../src/local-cognito/index.ts';
import { STATE_WRITE_DELAY_MS, StateStore, type SentMessage } from '../../src/local-cognito/state.ts';
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

  it('changes are written behind, together: none within the write delay, all of them once it has passed', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'local-cognito-writes-'));
    try {
      const store = await StateStore.open(stateDir, Date.now);
      const file = join(stateDir, 'state.json');
      const sent = (n: number): SentMessage => ({
        to: `burst-${n}@example.com`,
        username: `burst-${n}`,
        kind: 'SIGN_UP',
        code: '123456',
        sentAt: new Date().toISOString(),
      });
      // A burst of changes, as a run of sign-ins makes (each keeps a refresh token).
      for (let n = 0; n < 6; n++) {
        store.state.messages.push(sent(n));
        store.changed();
        await delay(50);
      }
      assert.ok(STATE_WRITE_DELAY_MS > 300 + 100);
      assert.equal(existsSync(file), false, 'nothing written while the burst is younger than the delay');
      await delay(STATE_WRITE_DELAY_MS);
      assert.equal(existsSync(file), true, 'written once the delay has passed, without a flush');
      await store.flush();
      const written = JSON.parse(await readFile(file, 'utf8')) as { messages: SentMessage[] };
      assert.deepEqual(
        written.messages.map((m) => m.username),
        ['burst-0', 'burst-1', 'burst-2', 'burst-3', 'burst-4', 'burst-5'],
      );
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
