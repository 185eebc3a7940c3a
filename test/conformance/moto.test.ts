// Conformance: the same AWS SDK v3 calls against the project's emulator and against moto_server.
//
// `scenarios` (scenarios.ts): moto follows Cognito, both targets must give the same outcome.
// `deviations` (deviations.ts): moto 5.2.1 does not; the emulator is held to Cognito's documentation, moto
// to what it actually does, so a moto upgrade that fixes one shows up as a failure (then move the row).
//
// moto_server missing: fails in CI, otherwise a loud warning and the moto half is skipped.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { startLocalCognito, type LocalCognito } from '../../src/local-cognito/index.ts';
import { check, describeOutcome, outcomeOf, satisfies } from './expect.ts';
import { deviations } from './deviations.ts';
import { scenarios } from './scenarios.ts';
import {
  findMotoServer,
  prepareTarget,
  startMotoServer,
  type MotoServer,
  type Target,
  type TargetName,
} from './targets.ts';

// ---- the suite ----

describe('conformance: emulator vs moto_server', () => {
  let emu: LocalCognito | undefined;
  let moto: MotoServer | undefined;
  const targets = new Map<TargetName, Target>();

  before(async () => {
    emu = await startLocalCognito({ port: 0 });
    targets.set('emulator', await prepareTarget('emulator', emu.endpoint));
    const executable = findMotoServer();
    if (!executable) {
      const msg = 'moto_server is not on PATH: the moto half of the conformance suite cannot run';
      if (process.env.CI) throw new Error(`!!! ${msg} (CI is set: install moto[server]==5.2.1) !!!`);
      process.stderr.write(`\n!!! WARNING: ${msg}; skipping it (pip install 'moto[server]==5.2.1') !!!\n\n`);
      return;
    }
    moto = await startMotoServer(executable);
    targets.set('moto', await prepareTarget('moto', moto.endpoint));
  });

  after(async () => {
    for (const t of targets.values()) t.cognito.destroy();
    await moto?.stop();
    await emu?.close();
  });

  const target = (t: TestContext, name: TargetName): Target | undefined => {
    const found = targets.get(name);
    if (!found) t.skip('moto_server not installed');
    return found;
  };

  describe('scenarios (moto follows Cognito: same outcome on both)', () => {
    for (const s of scenarios) {
      describe(s.name, () => {
        for (const name of ['emulator', 'moto'] as const) {
          it(name, async (t) => {
            const tg = target(t, name);
            if (!tg) return;
            await check(await outcomeOf(s.run(tg)), s.expect, tg);
          });
        }
      });
    }
  });

  describe('deviations (emulator held to Cognito docs, moto to its actual behaviour)', () => {
    for (const d of deviations) {
      describe(d.name, () => {
        it('emulator follows Cognito', async (t) => {
          const tg = target(t, 'emulator');
          if (!tg) return;
          const o = await outcomeOf(d.run(tg));
          await check(o, d.cognito, tg);
        });
        it('moto still deviates', async (t) => {
          const tg = target(t, 'moto');
          if (!tg) return;
          const o = await outcomeOf(d.run(tg));
          if (!(await satisfies(o, d.moto, tg)) && (await satisfies(o, d.cognito, tg))) {
            assert.fail(
              `moto now follows Cognito for "${d.name}" (${describeOutcome(o)}): move this row from ` +
                '`deviations` to `scenarios`.',
            );
          }
          await check(o, d.moto, tg);
        });
      });
    }
  });
});
