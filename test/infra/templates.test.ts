// The committed CloudFormation templates (infra/templates/) are a fresh synth of the stack, and `cdk synth` runs
// offline through the CDK CLI as the README says; the CDK context is read with clear errors.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { settingsFromContext, DEFAULT_SETTINGS } from '../../infra/lib/settings.ts';
import { COMMITTED_TEMPLATES, synthTemplate } from '../../infra/lib/synth.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('the committed templates', () => {
  for (const [file, settings] of Object.entries(COMMITTED_TEMPLATES)) {
    test(`infra/templates/${file} equals a fresh synth (npm run infra:templates writes it)`, () => {
      const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-test-'));
      try {
        const committed: unknown = JSON.parse(
          readFileSync(path.join(ROOT, 'infra', 'templates', file), 'utf8'),
        );
        assert.deepEqual(
          committed,
          synthTemplate(settings, outdir),
          `${file} is stale: run npm run infra:templates`,
        );
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    });

    test(`infra/templates/${file} deploys without CDK: no bootstrap, no asset, the image by parameter`, () => {
      const text = readFileSync(path.join(ROOT, 'infra', 'templates', file), 'utf8');
      const t = JSON.parse(text) as { Parameters: Record<string, unknown> };
      assert.doesNotMatch(text, /cdk-hnb659fds|BootstrapVersion|AssetParameters|CDKMetadata/);
      assert.ok(t.Parameters.ImageRepository && t.Parameters.ImageTag, 'the image is named at deploy time');
    });
  }
});

describe('CDK context', () => {
  const from = (context: Record<string, unknown>) => settingsFromContext((k) => context[k]);

  test('defaults, and every setting read', () => {
    assert.deepEqual(from({}), DEFAULT_SETTINGS);
    assert.deepEqual(
      from({
        runtime: 'container',
        image: 'parameter',
        authFlow: 'USER_SRP_AUTH',
        passwordless: 'sms, passkey,sms',
        sesFromEmail: 'no-reply@example.com',
      }),
      {
        runtime: 'container',
        image: 'parameter',
        authFlow: 'USER_SRP_AUTH',
        passwordless: ['sms', 'passkey'],
        sesFromEmail: 'no-reply@example.com',
      },
    );
  });

  test('one error names every bad key and what it takes', () => {
    assert.throws(
      () => from({ runtime: 'ec2', authFlow: 'CUSTOM_AUTH', passwordless: 'magic', sesFromEmail: 'nobody' }),
      (err: Error) => {
        for (const part of [
          /runtime: must be one of lambda, container \(got "ec2"\)/,
          /authFlow: must be one of USER_PASSWORD_AUTH, USER_SRP_AUTH/,
          /passwordless: must list email, sms, passkey \(got "magic"\)/,
          /sesFromEmail: must be an email address/,
        ])
          assert.match(err.message, part);
        return true;
      },
    );
    assert.throws(() => from({ passwordless: 'email' }), /email sign-in codes need sesFromEmail/);
    assert.throws(() => from({ runtime: 3 }), /runtime: must be a string/);
  });
});

describe('cdk synth', () => {
  test('runs offline through the CDK CLI in infra/, for both runtimes, the image built from this checkout', async () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-cli-'));
    try {
      const cli = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
      for (const runtime of ['lambda', 'container']) {
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [cli, 'synth', '--no-notices', '--no-version-reporting', '-c', `runtime=${runtime}`, '-o', outdir],
          {
            cwd: path.join(ROOT, 'infra'),
            env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true' },
            timeout: 120_000,
          },
        );
        assert.match(stdout, /Resources:/, 'the template is printed');
        const assets = JSON.parse(readFileSync(path.join(outdir, 'CognitoLogin.assets.json'), 'utf8')) as {
          dockerImages: Record<string, { source: { directory: string; dockerBuildTarget?: string } }>;
        };
        const images = Object.values(assets.dockerImages);
        assert.equal(images.length, 1, 'one image asset');
        assert.equal(images[0]!.source.dockerBuildTarget, runtime === 'lambda' ? 'lambda' : 'runtime');
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
