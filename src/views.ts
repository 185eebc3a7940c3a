// Renders nunjucks pages with the shared locals: texts in the visitor's language, the brand, paths, the user.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'koa';
import nunjucks from 'nunjucks';
import type { Brand } from './branding/brand.ts';
import type { Config } from './config.ts';
import type { FieldError } from './field-errors.ts';
import {
  createTranslator,
  DEFAULT_LANGUAGE,
  LANGUAGES,
  type Language,
  type Messages,
  type Translate,
} from './i18n/index.ts';
import { csrfToken } from './middleware/csrf.ts';
import { paths } from './paths.ts';
import { createRenderCache, valuesKey } from './render-cache.ts';
import { currentAuth } from './session/auth-session.ts';

/** The project's `views/` folder, found from this file so it works from `src/` and `dist/` alike. */
export const VIEWS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'views');

export interface Renderer {
  /** Renders `template` into the response body as HTML, in the request's language. */
  render(ctx: Context, template: string, locals?: Record<string, unknown>): void;
  /** The translator for the request's language (for texts built outside templates). */
  translator(ctx: Context): Translate;
}

export interface RendererOptions {
  brand: Brand;
  /** Cache compiled templates (everywhere but development). */
  cache: boolean;
  /** Shown in the footer in local mode, where the emulator's messages can be read. */
  localInboxUrl: string | undefined;
  catalogues: Readonly<Record<Language, Messages>>;
  /** BASE_PATH ('' for `/`): every path templates link to is put under it. */
  basePath: string;
}

/**
 * JSON text as data inside <script type="application/json">: re-serialised, with <, > and & escaped, so no value can
 * end the element; text that is not JSON becomes {}.
 */
export function safeJson(text: unknown): string {
  let json = '{}';
  try {
    json = JSON.stringify(JSON.parse(String(text))) ?? '{}';
  } catch {
    json = '{}';
  }
  return json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export function createRenderer(options: RendererOptions): Renderer {
  // A theme's templates come first: a page (or partial) there replaces ours, the rest stay ours.
  const searchPaths = options.brand.templatesDir ? [options.brand.templatesDir, VIEWS_DIR] : [VIEWS_DIR];
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(searchPaths, { noCache: !options.cache }),
    {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
    },
  );
  const translators = Object.fromEntries(
    LANGUAGES.map(({ code }) => [code, createTranslator(options.catalogues[code])]),
  ) as Record<Language, Translate>;
  const under = (p: string) => (p.startsWith('/') && !p.startsWith('//') ? `${options.basePath}${p}` : p);
  env.addGlobal('paths', Object.fromEntries(Object.entries(paths).map(([name, p]) => [name, under(p)])));
  env.addGlobal('brand', {
    ...options.brand,
    logoUrl: under(options.brand.logoUrl),
    faviconUrl: under(options.brand.faviconUrl),
    links: Object.fromEntries(
      Object.entries(options.brand.links).map(([name, url]) => [name, url === undefined ? url : under(url)]),
    ),
  });
  env.addGlobal('brandName', options.brand.name);
  env.addFilter('safe_json', (text: unknown) => new nunjucks.runtime.SafeString(safeJson(text)));
  env.addGlobal('localInboxUrl', options.localInboxUrl);
  const translator = (ctx: Context) => translators[ctx.state.lang ?? DEFAULT_LANGUAGE];
  // Pages made once per template, language, address, user and values (not while templates are edited live).
  const cache = options.cache ? createRenderCache() : undefined;
  /** Stands where a page's CSRF token goes in a cached page: random per process, so no value can forge it. */
  const csrfPlaceholder = `csrf-token-${randomBytes(16).toString('hex')}`;

  return {
    translator,
    render(ctx, template, locals = {}) {
      let auth;
      try {
        auth = currentAuth(ctx);
      } catch {
        // The session could not be loaded (an error page for that very failure): render as anonymous.
        auth = undefined;
      }
      const t = translator(ctx);
      const lang = ctx.state.lang ?? DEFAULT_LANGUAGE;
      const user = auth ? { email: auth.email, name: auth.name } : undefined;
      ctx.type = 'html';
      const values = cache && valuesKey({ user, locals });
      const key = values && `${template}\0${lang}\0${ctx.originalUrl}\0${values}`;
      let page = key ? cache.get(key) : undefined;
      if (!page) {
        let usesCsrf = false;
        const html = env.render(template, {
          t,
          // One place that turns a form error into its text: a broken password rule is named inside the message.
          errorText: (e: FieldError) => {
            const params = {
              ...e.params,
              ...(e.rules
                ? {
                    rule: listOf(
                      lang,
                      e.rules.map((r) => t(r.message, r.params)),
                    ),
                  }
                : {}),
              ...(e.label ? { field: t(e.label) } : {}),
            };
            const text = t(e.message, params);
            return e.detail ? `${text} ${e.detail}` : text;
          },
          lang,
          languages: LANGUAGES.map((l) => ({ ...l, current: l.code === lang, href: withLang(ctx, l.code) })),
          user,
          // A function, so that only pages with a form make a token (without a session, one that stores nothing).
          csrfToken: () => {
            usesCsrf = true;
            return csrfPlaceholder;
          },
          ...locals,
        });
        page = { html, usesCsrf };
        if (key) cache.set(key, page);
      }
      ctx.body = page.usesCsrf ? page.html.replaceAll(csrfPlaceholder, csrfToken(ctx)) : page.html;
    },
  };
}

/** This page's address with `lang` set: the switcher keeps the visitor where they are. */
/** "a, b and c" in the page's language (Intl.ListFormat), made once per language. */
const listFormats = new Map<string, Intl.ListFormat>();
function listOf(lang: string, items: string[]): string {
  let format = listFormats.get(lang);
  if (!format) listFormats.set(lang, (format = new Intl.ListFormat(lang, { type: 'conjunction' })));
  return format.format(items);
}

function withLang(ctx: Context, lang: string): string {
  const query = new URLSearchParams(ctx.querystring);
  query.set('lang', lang);
  // The path as the browser sent it (under BASE_PATH, ctx.path has lost the prefix).
  return `${ctx.originalUrl.split('?')[0]}?${query.toString()}`;
}

export function rendererOptionsFrom(
  config: Config,
  brand: Brand,
  catalogues: Readonly<Record<Language, Messages>>,
  localInboxUrl?: string,
): RendererOptions {
  return {
    brand,
    // Compiled templates are cached everywhere but `npm run dev` (NODE_ENV=development), where edits show at once.
    cache: !config.development,
    localInboxUrl,
    catalogues,
    basePath: config.protect.basePath,
  };
}
