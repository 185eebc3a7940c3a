import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isMessageKey } from '../../src/i18n/index.ts';
import { VIEWS_DIR } from '../../src/views.ts';

function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? templates(path.join(dir, e.name))
      : e.name.endsWith('.njk')
        ? [path.join(dir, e.name)]
        : [],
  );
}

test('every literal message key used in a template exists in the catalogue', () => {
  const missing: string[] = [];
  for (const file of templates(VIEWS_DIR)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\('([^']+)'\s*[,)]/g)) {
      if (!isMessageKey(m[1]!)) missing.push(`${path.relative(VIEWS_DIR, file)}: ${m[1]}`);
    }
    for (const m of text.matchAll(/\b(?:label|hint|submitLabel): '([^']+)'/g)) {
      if (!isMessageKey(m[1]!)) missing.push(`${path.relative(VIEWS_DIR, file)}: ${m[1]}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('no template marks anything as safe: everything echoed is escaped', () => {
  for (const file of templates(VIEWS_DIR)) {
    assert.doesNotMatch(readFileSync(file, 'utf8'), /\|\s*safe\b/, file);
  }
});

test('every form that posts carries a CSRF token', () => {
  for (const file of templates(VIEWS_DIR)) {
    const text = readFileSync(file, 'utf8');
    const forms = text.split(/<form\b/).slice(1);
    for (const form of forms) {
      if (/method="post"/.test(form)) assert.match(form, /name="_csrf"/, file);
    }
  }
});
