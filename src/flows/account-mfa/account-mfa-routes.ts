// Routes of the account's two-step verification settings; all behind sign-in.
import type { Router } from '@koa/router';
import { requireAuth } from '../../middleware/require-auth.ts';
import { paths } from '../../paths.ts';
import type { FlowDeps } from '../types.ts';
import { accountMfaHandlers } from './account-mfa-handlers.ts';

export function accountMfaRoutes(router: Router, deps: FlowDeps): void {
  const h = accountMfaHandlers(deps);
  const auth = requireAuth(deps.resolveAuth);
  router.get(paths.accountMfa, auth, h.settingsGet);
  router.post(paths.accountMfa, auth, h.changePost);
  router.post(paths.accountMfaVerify, auth, h.verifyPost);
  router.get(paths.accountMfaTotp, auth, h.totpGet);
  router.get(paths.accountMfaTotpQr, auth, h.totpQrGet);
  router.post(paths.accountMfaTotp, auth, h.totpPost);
}
