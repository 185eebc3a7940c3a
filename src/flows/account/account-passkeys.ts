// The account's passkeys (PASSWORDLESS includes passkey): listed with their names and dates, added with the browser's
// WebAuthn ceremony (StartWebAuthnRegistration, navigator.credentials.create, CompleteWebAuthnRegistration), removed
// after a fresh check; and offered once after a sign-in, dismissible.
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import type { Passkey } from '../../cognito/gateway.ts';
import { byField, formError, type FieldError } from '../../field-errors.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { redirectPublic } from '../../middleware/base-path.ts';
import { paths } from '../../paths.ts';
import { currentAuth, sessionOf } from '../../session/auth-session.ts';
import { formStatus } from '../form-status.ts';
import type { FlowDeps } from '../types.ts';
import { dateText } from './date-text.ts';
import { checkCurrentPassword } from './password-check.ts';
import { endUserSessions } from '../end-sessions.ts';

/** What a change here says once it is done. */
export const PASSKEY_NOTICES = {
  'passkey-added': 'accountPasskeys.added',
  'passkey-removed': 'accountPasskeys.removed',
} as const satisfies Record<string, MessageKey>;

/** Set once a user said "not now" to the offer after sign-in: it is not made again to them in this browser. */
export const offerCookieName = (secure: boolean): string =>
  secure ? '__Host-passkey-offer' : 'passkey-offer';

/** Whose "not now" the cookie holds: a hash of the user's `sub` (another user of the browser is still offered one). */
export const declinedBy = (sub: string): string =>
  createHash('sha256').update(`passkey-offer:${sub}`).digest('base64url').slice(0, 22);
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
/** The browser's RegistrationResponseJSON: a few KB at most. */
const MAX_CREDENTIAL = 32_768;

export function accountPasskeysHandlers(deps: FlowDeps) {
  const { cognito, renderer, config, clock, logger } = deps;

  /**
   * Signed in, or the password checked again here, within the minutes a sensitive change allows. A check of its own
   * (passkeyCheckedAt): the MFA pages' re-authentication also proves a second factor, which this one does not.
   */
  function fresh(ctx: Context): boolean {
    const auth = currentAuth(ctx)!;
    const at = Math.max(auth.signedInAt, sessionOf(ctx).passkeyCheckedAt ?? 0);
    return clock() - at < config.mfa.reauthMinutes * 60_000;
  }

  async function showList(ctx: Context, status: number, errors: FieldError[]): Promise<void> {
    const auth = currentAuth(ctx)!;
    let passkeys: Passkey[] = [];
    try {
      passkeys = await cognito.listPasskeys(auth.accessToken);
    } catch (err) {
      if (!(err instanceof AuthError) || err.code === 'SERVICE_UNAVAILABLE') throw err;
      logger.warn({ error: err.code, cognito: err.cognitoName }, 'ListWebAuthnCredentials refused');
      errors = [...errors, formError('accountPasskeys.listFailed')];
    }
    const lang = ctx.state.lang ?? 'en';
    const offer = sessionOf(ctx).passkeyOffer;
    ctx.status = status;
    renderer.render(ctx, 'pages/account-passkeys.njk', {
      passkeys: passkeys.map((p) => ({
        id: p.id,
        name: p.name,
        kind: p.attachment === 'platform' ? 'accountPasskeys.onDevice' : 'accountPasskeys.elsewhere',
        created: p.createdAt === undefined ? undefined : new Date(p.createdAt).toISOString(),
        createdText: p.createdAt === undefined ? undefined : dateText(lang, p.createdAt),
      })),
      offer: offer !== undefined && passkeys.length === 0,
      needsPassword: !fresh(ctx),
      notice: Object.hasOwn(PASSKEY_NOTICES, String(ctx.query.notice))
        ? PASSKEY_NOTICES[String(ctx.query.notice) as keyof typeof PASSKEY_NOTICES]
        : undefined,
      noticeTone: 'success',
      errors,
      fieldErrors: byField(errors),
    });
  }

  /** Where the offer after sign-in goes on to, once taken or declined. */
  function leaveOffer(ctx: Context, fallback: string): void {
    const session = sessionOf(ctx);
    const then = session.passkeyOffer?.then;
    delete session.passkeyOffer;
    if (then) redirectPublic(ctx, then);
    else ctx.redirect(fallback);
  }

  return {
    listGet: (ctx: Context): Promise<void> => showList(ctx, 200, []),

    /**
     * Adds a passkey: without `credential`, Cognito's creation options and the ceremony page; with it, the browser's
     * answer completed at Cognito. `skip`: "not now" to the offer after sign-in (not offered again here).
     */
    addPost: async (ctx: Context): Promise<void> => {
      const form = ctx.state.form ?? {};
      const auth = currentAuth(ctx)!;
      if (form.skip === 'true') {
        ctx.cookies.set(offerCookieName(config.secureCookies), declinedBy(auth.sub), {
          httpOnly: true,
          sameSite: 'lax',
          secure: config.secureCookies,
          maxAge: YEAR_MS,
          path: '/',
        });
        return leaveOffer(ctx, paths.account);
      }
      const credential = form.credential;
      // A stolen session must not add a passkey of its own: the sign-in (or the password) must be recent.
      if (!fresh(ctx)) return showList(ctx, 403, [formError('accountPasskeys.confirmLead')]);
      try {
        if (credential === undefined) {
          const options = await cognito.startPasskeyRegistration(auth.accessToken);
          renderer.render(ctx, 'pages/account-passkey-add.njk', { options });
          return;
        }
        const parsed = parseCredential(credential);
        if (!parsed) return showList(ctx, 400, [formError('accountPasskeys.cancelled')]);
        await cognito.completePasskeyRegistration(auth.accessToken, parsed);
      } catch (err) {
        if (!(err instanceof AuthError) || !err.expose) throw err;
        logger.info({ error: err.code, cognito: err.cognitoName }, 'passkey not added');
        const errors = [formError('accountPasskeys.notAdded')];
        return showList(ctx, formStatus(errors), errors);
      }
      return leaveOffer(ctx, `${paths.accountPasskeys}?notice=passkey-added`);
    },

    /**
     * `confirm`: the password checked again (a sign-in more than a few minutes old). Else removes passkey `id`, only
     * while fresh; then the user's other sessions end, as after any change of a way in.
     */
    deletePost: async (ctx: Context): Promise<void> => {
      const form = ctx.state.form ?? {};
      if (form.confirm === 'true') {
        const check = await checkCurrentPassword(ctx, deps, form.password ?? '');
        if (!check.ok) return showList(ctx, formStatus([check.error]), [check.error]);
        sessionOf(ctx).passkeyCheckedAt = clock();
        return ctx.redirect(paths.accountPasskeys);
      }
      const id = form.id ?? '';
      if (!/^[\w-]{1,1024}$/.test(id)) return showList(ctx, 400, [formError('accountPasskeys.unknown')]);
      if (!fresh(ctx)) return showList(ctx, 403, [formError('accountPasskeys.confirmLead')]);
      try {
        await cognito.deletePasskey(currentAuth(ctx)!.accessToken, id);
      } catch (err) {
        if (!(err instanceof AuthError) || err.code === 'SERVICE_UNAVAILABLE') throw err;
        return showList(ctx, 400, [formError('accountPasskeys.unknown')]);
      }
      await endUserSessions(ctx, deps, sessionOf(ctx).owners ?? [], 'passkey removed', { keepCurrent: true });
      ctx.redirect(`${paths.accountPasskeys}?notice=passkey-removed`);
    },
  };
}

/** The browser's answer as an object of a passkey's size; undefined for anything else (a cancelled ceremony). */
function parseCredential(text: string): Record<string, unknown> | undefined {
  if (text.length === 0 || text.length > MAX_CREDENTIAL) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    return 'id' in parsed ? parsed : undefined;
  } catch {
    return undefined;
  }
}
