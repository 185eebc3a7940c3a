// Renders nunjucks pages with the shared locals (texts, brand, paths, the signed-in user, CSRF token).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'koa';
import nunjucks from 'nunjucks';
import type { Config } from './config.ts';
import { createTranslator, type Messages, type Translate } from './i18n/index.ts';
import type { FieldError } from './flows/field-errors.ts';
import { csrfToken } from './middleware/csrf.ts';
import { paths } from './paths.ts';
import { currentAuth } from './session/auth-session.ts';

/** The project's `views/` folder, found from this file so it works from `src/` and `dist/` alike. */
export const VIEWS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'views');

export interface Renderer {
  /** Renders `template` into the response body as HTML. */
  render(ctx: Context, template: string, locals?: Record<string, unknown>): void;
}

export interface RendererOptions {
  brandName: string;
  /** Cache compiled templates (everywhere but development). */
  cache: boolean;
  /** Shown in the footer in local mode, where the emulator's messages can be read. */
  localInboxUrl: string | undefined;
  messages: Messages;
}

export function createRenderer(options: RendererOptions): Renderer {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(VIEWS_DIR, { noCache: !options.cache }),
    {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
    },
  );
  const t: Translate = createTranslator(options.messages);
  env.addGlobal('paths', paths);
  env.addGlobal('brandName', options.brandName);
  env.addGlobal('localInboxUrl', options.localInboxUrl);
  env.addGlobal('t', t);
  // One place that turns a form error into its text: a broken password rule is named inside the message.
  env.addGlobal('errorText', (e: FieldError) => {
    const params = {
      ...e.params,
      ...(e.rule ? { rule: t(e.rule.message, e.rule.params) } : {}),
      ...(e.label ? { field: t(e.label) } : {}),
    };
    const text = t(e.message, params);
    return e.detail ? `${text} ${e.detail}` : text;
  });

  return {
    render(ctx, template, locals = {}) {
      let auth;
      try {
        auth = currentAuth(ctx);
      } catch {
        // The session could not be loaded (an error page for that very failure): render as anonymous.
        auth = undefined;
      }
      ctx.type = 'html';
      ctx.body = env.render(template, {
        lang: 'en',
        user: auth ? { email: auth.email, name: auth.name } : undefined,
        // A function, so that only pages with a form create a session for their token.
        csrfToken: () => csrfToken(ctx),
        ...locals,
      });
    },
  };
}

export function rendererOptionsFrom(
  config: Config,
  messages: Messages,
  localInboxUrl?: string,
): RendererOptions {
  return {
    brandName: config.brandName,
    // Compiled templates are cached everywhere but `npm run dev` (NODE_ENV=development), where edits show at once.
    cache: !config.development,
    localInboxUrl,
    messages,
  };
}
