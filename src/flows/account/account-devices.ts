// The account's devices: the browsers Cognito tracks for the user (ListDevices), which of them are trusted to skip the
// second factor, and forgetting one or all (ForgetDevice), this browser's own remembered device included.
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import type { TrackedDevice } from '../../cognito/gateway.ts';
import { formError, type FieldError } from '../../field-errors.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { dateText } from './date-text.ts';
import { paths } from '../../paths.ts';
import { currentAuth } from '../../session/auth-session.ts';
import { formStatus } from '../form-status.ts';
import type { FlowDeps } from '../types.ts';

/** What a forget says once it is done. */
export const DEVICE_NOTICES = {
  'device-forgotten': 'accountDevices.forgotten',
  'devices-forgotten': 'accountDevices.forgottenAll',
} as const;

export function accountDevicesHandlers(deps: FlowDeps) {
  const { cognito, renderer, devices, logger } = deps;

  async function show(ctx: Context, status: number, errors: FieldError[]): Promise<void> {
    const auth = currentAuth(ctx)!;
    const mine = new Set((await devices.read(ctx)).map((e) => e.key));
    let list: TrackedDevice[];
    try {
      list = await cognito.listDevices(auth.accessToken);
    } catch (err) {
      // The page still tells what it can; an outage of Cognito is the error page's, as everywhere.
      if (!(err instanceof AuthError) || err.code === 'SERVICE_UNAVAILABLE') throw err;
      logger.warn({ error: err.code, cognito: err.cognitoName }, 'ListDevices refused');
      list = [];
      errors = [...errors, formError('accountDevices.listFailed')];
    }
    const lang = ctx.state.lang ?? 'en';
    ctx.status = status;
    renderer.render(ctx, 'pages/account-devices.njk', {
      devices: list.map((d) => ({
        key: d.key,
        name: d.name ?? '',
        remembered: d.remembered,
        thisBrowser: mine.has(d.key),
        lastUsed:
          d.lastAuthenticatedAt === undefined ? undefined : new Date(d.lastAuthenticatedAt).toISOString(),
        lastUsedText: d.lastAuthenticatedAt === undefined ? undefined : dateText(lang, d.lastAuthenticatedAt),
      })),
      days: deps.config.signIn.rememberDeviceDays,
      notice: Object.hasOwn(DEVICE_NOTICES, String(ctx.query.notice))
        ? DEVICE_NOTICES[String(ctx.query.notice) as keyof typeof DEVICE_NOTICES]
        : undefined,
      noticeTone: 'success',
      errors,
    });
  }

  return {
    devicesGet: (ctx: Context): Promise<void> => show(ctx, 200, []),

    /** Forgets one device (`device`) or every one (`all`): Cognito no longer knows it, nor does this browser. */
    forgetPost: async (ctx: Context): Promise<void> => {
      const auth = currentAuth(ctx)!;
      const form = ctx.state.form ?? {};
      const all = form.all === 'true';
      const key = form.device ?? '';
      if (!all && !/^[\w-]{1,55}$/.test(key)) return show(ctx, 400, [formError('accountDevices.unknown')]);
      try {
        const keys = all ? (await cognito.listDevices(auth.accessToken)).map((d) => d.key) : [key];
        for (const k of keys) await cognito.forgetDevice(auth.accessToken, k);
        await devices.drop(ctx, (e) => e.username === auth.username && (all || e.key === key));
      } catch (err) {
        if (!(err instanceof AuthError) || err.code === 'SERVICE_UNAVAILABLE') throw err;
        const shown = formError(
          err.code === 'MISCONFIGURED' ? 'accountDevices.unknown' : (`errors.${err.code}` as MessageKey),
        );
        return show(ctx, formStatus([shown]), [shown]);
      }
      ctx.redirect(`${paths.accountDevices}?notice=${all ? 'devices-forgotten' : 'device-forgotten'}`);
    },
  };
}
