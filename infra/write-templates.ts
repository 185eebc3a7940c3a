// Writes the committed CloudFormation templates (infra/templates/): `npm run infra:templates` after changing the
// stack. test/infra/templates.test.ts fails while they differ from a fresh synth.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMITTED_TEMPLATES, synthTemplate } from './lib/synth.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates');
const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-'));
try {
  for (const [file, settings] of Object.entries(COMMITTED_TEMPLATES)) {
    writeFileSync(path.join(dir, file), `${JSON.stringify(synthTemplate(settings, outdir), null, 2)}\n`);
    process.stdout.write(`wrote infra/templates/${file}\n`);
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
