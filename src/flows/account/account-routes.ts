// The signed-in user's own page (who you are, your groups) and the pages under it that change the account.
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { requireAuth } from '../../middleware/require-auth.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { accountSecurityHandlers } from './account-security.ts';
import { accountDevicesHandlers } from './account-devices.ts';
import { accountPasskeysHandlers } from './account-passkeys.ts';
import { accountProfileHandlers, PROFILE_NOTICES } from './account-profile.ts';
import { dateText } from './date-text.ts';
import { keepAccountPage } from './kept-account-page.ts';
import { paths } from '../../paths.ts';
import { currentAuth } from '../../session/auth-session.ts';
import type { FlowDeps } from '../types.ts';

/** What a change on a page under /account says once it is done, by the fixed name a redirect gives. */
const NOTICES: Readonly<Record<string, MessageKey>> = {
  'account-confirmed': 'account.confirmed',
  'password-changed': 'account.passwordChanged',
  'password-changed-others': 'account.passwordChangedOthers',
  ...PROFILE_NOTICES,
};

export function accountRoutes(router: Router, deps: FlowDeps): void {
  const auth = requireAuth(deps.resolveAuth);
  const security = accountSecurityHandlers(deps);
  const profile = accountProfileHandlers(deps);
  router.get(paths.accountProfile, auth, profile.profileGet);
  router.post(paths.accountProfile, auth, profile.profilePost);
  router.get(paths.accountVerify, auth, profile.verifyGet);
  router.post(paths.accountVerify, auth, profile.verifyPost);
  router.post(paths.accountVerifySend, auth, profile.sendPost);
  router.get(paths.accountPassword, auth, security.passwordGet);
  router.post(paths.accountPassword, auth, security.passwordPost);
  router.get(paths.accountSignOutEverywhere, auth, security.signOutEverywhereGet);
  router.post(paths.accountSignOutEverywhere, auth, security.signOutEverywherePost);
  if (deps.config.signIn.passwordless.includes('passkey')) {
    const passkeys = accountPasskeysHandlers(deps);
    router.get(paths.accountPasskeys, auth, passkeys.listGet);
    router.post(paths.accountPasskeysAdd, auth, passkeys.addPost);
    router.post(paths.accountPasskeysDelete, auth, passkeys.deletePost);
  }
  if (deps.config.signIn.rememberDevices !== 'off') {
    const devices = accountDevicesHandlers(deps);
    router.get(paths.accountDevices, auth, devices.devicesGet);
    router.post(paths.accountDevicesForget, auth, devices.forgetPost);
  }
  router.get(paths.accountDelete, auth, security.deleteGet);
  router.post(paths.accountDelete, auth, security.deletePost);
  router.get(paths.account, auth, function accountGet(ctx: Context) {
    const auth = currentAuth(ctx)!;
    // The page stays the same until the session changes: kept for its next visits (kept-account-page.ts).
    if (deps.accountPages && ctx.state.stableUntil !== undefined) {
      keepAccountPage(ctx, deps.accountPages, ctx.state.stableUntil);
    }
    const notice = Object.hasOwn(NOTICES, String(ctx.query.notice))
      ? NOTICES[String(ctx.query.notice)]
      : undefined;
    deps.renderer.render(ctx, 'pages/account.njk', {
      notice,
      devicesLink: deps.config.signIn.rememberDevices !== 'off',
      passkeysLink: deps.config.signIn.passwordless.includes('passkey'),
      noticeTone: 'success',
      account: {
        email: auth.email,
        name: auth.name,
        username: auth.username,
        groups: auth.groups,
        signedInAt: new Date(auth.signedInAt).toISOString(),
        signedInAtText: dateText(ctx.state.lang ?? 'en', auth.signedInAt),
      },
    });
  });
}
