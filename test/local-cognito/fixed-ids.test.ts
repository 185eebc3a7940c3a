// Fixed pool and client ids (LOCAL_COGNITO_POOL_ID, ...): app instances configured before the emulator runs.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createCognitoGateway } from '../../src/cognito/gateway.ts';
import { startLocalCognito } from '../../src/local-cognito/index.ts';
import { emulatorSettings } from '../../src/local-mode.ts';

const ids = {
  userPoolId: 'us-east-1_FixedPool1',
  clientId: 'fixedclient000000000000001',
  clientSecret: 'fixed-client-secret-for-tests',
};

test('the seeded pool takes the fixed ids, and the demo user signs in with them', async () => {
  const emu = await startLocalCognito({ port: 0, localPoolIds: ids });
  try {
    const pool = await emu.ensureLocalPool();
    assert.equal(pool.userPoolId, ids.userPoolId);
    assert.equal(pool.clientId, ids.clientId);
    assert.equal(pool.clientSecret, ids.clientSecret);
    const gateway = createCognitoGateway(emulatorSettings(emu.endpoint, pool));
    const result = await gateway.signInWithPassword(pool.demoUser.email, pool.demoUser.password);
    assert.equal(result.kind, 'tokens');
  } finally {
    await emu.close();
  }
});

test('a data dir seeded with random ids is seeded again with the fixed ones; then they stay', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'fixed-ids-'));
  try {
    const first = await startLocalCognito({ port: 0, dataDir: dir });
    const random = await first.ensureLocalPool();
    await first.close();
    assert.notEqual(random.userPoolId, ids.userPoolId);

    const second = await startLocalCognito({ port: 0, dataDir: dir, localPoolIds: ids });
    assert.equal((await second.ensureLocalPool()).userPoolId, ids.userPoolId);
    await second.close();

    const third = await startLocalCognito({ port: 0, dataDir: dir, localPoolIds: ids });
    const again = await third.ensureLocalPool();
    assert.equal(again.clientId, ids.clientId);
    await third.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
