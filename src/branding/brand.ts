// The brand: name, logo, colours, links, and a theme folder whose templates, CSS, assets and texts override ours.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, type Config } from '../config.ts';
import { contrast, readableOn, textOn } from './colors.ts';

export type ColorScheme = 'auto' | 'light' | 'dark';

export interface Brand {
  name: string;
  logoUrl: string;
  faviconUrl: string;
  primaryColor: string;
  accentColor: string;
  colorScheme: ColorScheme;
  links: { privacy?: string | undefined; terms?: string | undefined; support?: string | undefined };
  /** The theme's `templates/` folder, searched before ours: a page there replaces ours. */
  templatesDir: string | undefined;
  /** The generated colour variables plus the theme's own `theme.css`, served as /assets/theme.css. */
  css: string;
  /** Files of the theme's `assets/` folder, served under /theme/. */
  assets: ReadonlyMap<string, { body: Buffer; type: string }>;
  /** Texts of the theme's `messages.<lang>.json` files, by language. */
  messages: Readonly<Record<string, Record<string, string>>>;
}

const HEX = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const URLISH = z.string().regex(/^(?:https:\/\/[^\s"'<>]+|\/[^\s"'<>]*)$/, 'must be an https URL or a path');

/** theme.json: every key optional; environment variables win over it. */
const themeFileSchema = z
  .object({
    name: z.string().max(60).optional(),
    logo: URLISH.optional(),
    favicon: URLISH.optional(),
    primaryColor: z.string().regex(HEX, 'must be a hex colour such as #2f5bd3').optional(),
    accentColor: z.string().regex(HEX, 'must be a hex colour such as #2f5bd3').optional(),
    colorScheme: z.enum(['auto', 'light', 'dark']).optional(),
    links: z
      .object({ privacy: URLISH.optional(), terms: URLISH.optional(), support: URLISH.optional() })
      .strict()
      .optional(),
  })
  .strict();

const ASSET_TYPES: Readonly<Record<string, string>> = {
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.css': 'text/css; charset=utf-8',
};

/** Reads the theme folder (if any) and the BRAND_* settings into the brand; problems stop the start. */
export function loadBrand(config: Config): Brand {
  const b = config.brand;
  const dir = b.themeDir ? path.resolve(b.themeDir) : undefined;
  if (dir && !(existsSync(dir) && statSync(dir).isDirectory())) {
    throw new ConfigError([`THEME_DIR: ${dir} is not a folder`]);
  }
  const file = dir ? readThemeFile(dir) : {};
  const primary = b.primaryColor ?? file.primaryColor ?? '#2f5bd3';
  const accent = b.accentColor ?? file.accentColor ?? primary;
  const templatesDir =
    dir && existsSync(path.join(dir, 'templates')) ? path.join(dir, 'templates') : undefined;
  const themeCss =
    dir && existsSync(path.join(dir, 'theme.css')) ? readFileSync(path.join(dir, 'theme.css'), 'utf8') : '';
  return {
    name: b.name ?? file.name ?? 'Example',
    logoUrl: b.logoUrl ?? file.logo ?? '/favicon.svg',
    faviconUrl: b.faviconUrl ?? file.favicon ?? '/favicon.svg',
    primaryColor: primary,
    accentColor: accent,
    colorScheme: b.colorScheme ?? file.colorScheme ?? 'auto',
    links: {
      privacy: b.privacyUrl ?? file.links?.privacy,
      terms: b.termsUrl ?? file.links?.terms,
      support: b.supportUrl ?? file.links?.support,
    },
    templatesDir,
    css: colorVariables(primary, accent) + themeCss,
    assets: dir ? readAssets(path.join(dir, 'assets')) : new Map(),
    messages: dir ? readMessages(dir) : {},
  };
}

function readThemeFile(dir: string): z.infer<typeof themeFileSchema> {
  const file = path.join(dir, 'theme.json');
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([`THEME_DIR: ${file} is not valid JSON (${(err as Error).message})`]);
  }
  const parsed = themeFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `THEME_DIR: theme.json ${i.path.join('.')}: ${i.message}`),
    );
  }
  return parsed.data;
}

function readAssets(dir: string): Map<string, { body: Buffer; type: string }> {
  const assets = new Map<string, { body: Buffer; type: string }>();
  if (!existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    const type = ASSET_TYPES[path.extname(name).toLowerCase()];
    if (!type || !/^[\w.-]+$/.test(name)) continue;
    assets.set(`/theme/${name}`, { body: readFileSync(path.join(dir, name)), type });
  }
  return assets;
}

function readMessages(dir: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const name of readdirSync(dir)) {
    const match = /^messages\.([a-z]{2})\.json$/.exec(name);
    if (!match) continue;
    const parsed = z
      .record(z.string(), z.string())
      .safeParse(JSON.parse(readFileSync(path.join(dir, name), 'utf8')));
    if (!parsed.success)
      throw new ConfigError([`THEME_DIR: ${name} must be one JSON object of "key": "text"`]);
    out[match[1]!] = parsed.data;
  }
  return out;
}

/**
 * The brand colours as CSS variables, light and dark, each adjusted until text and links on it meet WCAG AA:
 * teams can pick any colour without making the pages unreadable.
 */
export function colorVariables(primary: string, accent: string): string {
  const light = { surface: '#ffffff' };
  const dark = { surface: '#1a2030' };
  const lightBrand = readableOn(primary, light.surface);
  const darkBrand = readableOn(primary, dark.surface, 7);
  const block = (brand: string, accentColor: string, button = brand) =>
    `--brand: ${brand}; --brand-contrast: ${textOn(brand)}; --accent: ${accentColor}; ` +
    `--button-bg: ${button}; --button-text: ${textOn(button)};`;
  // In dark, links are lightened to read on the dark surface; the primary button keeps the colour at full strength
  // (darkened only as far as white text on it needs), so it does not look disabled.
  const darkButton = contrast(primary, textOn(primary)) >= 4.5 ? primary : readableOn(primary, '#ffffff');
  const lightAccent = readableOn(accent, light.surface, 3);
  const darkAccent = readableOn(accent, dark.surface, 3);
  const ok = contrast(lightBrand, textOn(lightBrand)) >= 4.5 ? '' : '/* brand text contrast below AA */';
  return (
    `/* Generated from the brand colours. */${ok}\n` +
    `:root { ${block(lightBrand, lightAccent)} }\n` +
    `:root[data-color-scheme='dark'] { ${block(darkBrand, darkAccent, darkButton)} }\n` +
    `@media (prefers-color-scheme: dark) { :root[data-color-scheme='auto'] { ${block(darkBrand, darkAccent, darkButton)} } }\n`
  );
}
