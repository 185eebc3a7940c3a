import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { colorVariables, loadBrand } from '../../src/branding/brand.ts';
import { contrast, readableOn, textOn } from '../../src/branding/colors.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';

test('contrast follows WCAG 2', () => {
  assert.equal(Math.round(contrast('#000000', '#ffffff')), 21);
  assert.equal(contrast('#777777', '#777777'), 1);
});

test('a light brand colour is darkened until links on white reach 4.5:1', () => {
  const yellow = '#ffdd00';
  const link = readableOn(yellow, '#ffffff');
  assert.ok(contrast(link, '#ffffff') >= 4.5);
  assert.equal(readableOn('#1b2130', '#ffffff'), '#1b2130', 'already readable colours are kept');
  assert.equal(textOn('#ffdd00'), '#000000');
  assert.equal(textOn('#1b2130'), '#ffffff');
});

test('the generated variables cover light, forced dark and automatic dark', () => {
  const css = colorVariables('#0f766e', '#f59e0b');
  assert.match(
    css,
    /^:root \{ --brand: #[0-9a-f]{6}; --brand-contrast: #(?:000000|ffffff); --accent: #[0-9a-f]{6}; --button-bg: #[0-9a-f]{6}; --button-text: #(?:000000|ffffff); \}$/m,
  );
  assert.match(css, /:root\[data-color-scheme='dark'\]/);
  assert.match(css, /@media \(prefers-color-scheme: dark\) \{ :root\[data-color-scheme='auto'\]/);
});

test('in dark the primary button keeps the brand at full strength under readable text, not the pale link colour', () => {
  for (const primary of ['#0f766e', '#2f5bd3', '#ffdd00', '#111111']) {
    const css = colorVariables(primary, '#f59e0b');
    const dark =
      /:root\[data-color-scheme='dark'\] \{ --brand: (#[0-9a-f]{6});.*--button-bg: (#[0-9a-f]{6}); --button-text: (#[0-9a-f]{6});/.exec(
        css,
      );
    assert.ok(dark, css);
    const [, link, button, text] = dark;
    assert.ok(
      contrast(button!, text!) >= 4.5,
      `${primary}: the button's text reads (${contrast(button!, text!)})`,
    );
    if (contrast(primary, textOn(primary)) >= 4.5)
      assert.equal(button, primary, `${primary} is kept as it is`);
    if (link !== primary) assert.notEqual(button, link, `${primary}: not the lightened link colour`);
  }
});

test('the generated variables name the dark and automatic dark blocks', () => {
  const css = colorVariables('#0f766e', '#f59e0b');
  assert.match(css, /:root\[data-color-scheme='dark'\]/);
  assert.match(css, /@media \(prefers-color-scheme: dark\) \{ :root\[data-color-scheme='auto'\]/);
});

/** A theme folder of its own, removed after the file's tests. */
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function themeDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'theme-'));
  dirs.push(dir);
  return dir;
}

test('BRAND_* wins over theme.json, which wins over the defaults', () => {
  const dir = themeDir();
  writeFileSync(path.join(dir, 'theme.json'), JSON.stringify({ name: 'From file', primaryColor: '#123456' }));
  const brand = loadBrand(loadConfig({ THEME_DIR: dir, BRAND_NAME: 'From env' }));
  assert.equal(brand.name, 'From env');
  assert.equal(brand.primaryColor, '#123456');
  assert.equal(brand.logoUrl, '/favicon.svg');
});

test('a broken theme stops the start, naming the problem', () => {
  const dir = themeDir();
  writeFileSync(path.join(dir, 'theme.json'), JSON.stringify({ primaryColor: 'teal', extra: 1 }));
  assert.throws(
    () => loadBrand(loadConfig({ THEME_DIR: dir })),
    (err) => err instanceof ConfigError && /primaryColor/.test(err.message),
  );
  assert.throws(() => loadBrand(loadConfig({ THEME_DIR: path.join(dir, 'missing') })), ConfigError);
});
