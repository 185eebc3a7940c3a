import assert from 'node:assert/strict';
import { test } from 'node:test';
import { de } from '../../src/i18n/de.ts';
import { en } from '../../src/i18n/en.ts';
import { createTranslator, loadCatalogues, negotiateLanguage } from '../../src/i18n/index.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('the German catalogue has every key, each translated, with the same placeholders', () => {
  assert.deepEqual(Object.keys(de).sort(), Object.keys(en).sort());
  // Words that are the same in both languages.
  const same = new Set([
    'site.poweredBy',
    'signup.optional',
    'attribute.website',
    'accountMfa.status',
    'account.name',
    // "Passkey" is the word in German too.
    'account.passkeysLink',
    'accountPasskeys.title',
  ]);
  const untranslated = Object.entries(en)
    .filter(([key, text]) => de[key as keyof typeof de] === text && /[a-z]{4,}/i.test(text) && !same.has(key))
    .map(([key]) => key);
  assert.deepEqual(untranslated, []);
  for (const [key, text] of Object.entries(en)) {
    assert.deepEqual(placeholders(de[key as keyof typeof de]), placeholders(text), key);
  }
});

test('every Cognito error code reads in German too', () => {
  const t = createTranslator(loadCatalogues().de);
  assert.match(t('errors.INVALID_CREDENTIALS'), /E-Mail|Passwort/);
});

test('Accept-Language picks the best language we have', () => {
  assert.equal(negotiateLanguage('de-CH,de;q=0.9,en;q=0.8'), 'de');
  assert.equal(negotiateLanguage('fr-FR,fr;q=0.9,de;q=0.5,en;q=0.4'), 'de');
  assert.equal(negotiateLanguage('fr,es'), 'en');
  assert.equal(negotiateLanguage('en;q=0.2,de;q=0.8'), 'de');
  assert.equal(negotiateLanguage('de;q=0'), 'en');
  assert.equal(negotiateLanguage(undefined), 'en');
  assert.equal(negotiateLanguage('x'.repeat(5000)), 'en');
});

test('a theme text replaces ours in its language only', () => {
  const catalogues = loadCatalogues({ de: { 'home.title': 'Hallo' } });
  assert.equal(catalogues.de['home.title'], 'Hallo');
  assert.equal(catalogues.en['home.title'], en['home.title']);
});
