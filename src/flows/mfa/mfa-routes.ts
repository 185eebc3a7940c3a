// Routes of the MFA challenge pages: code entry, method choice, and set-up during sign-in.
import type { Router } from '@koa/router';
import { paths } from '../../paths.ts';
import type { FlowDeps } from '../types.ts';
import { mfaCodeHandlers } from './mfa-code-handlers.ts';
import { mfaSelectHandlers } from './mfa-select-handlers.ts';
import { mfaSetupHandlers } from './mfa-setup-handlers.ts';

export function mfaRoutes(router: Router, deps: FlowDeps): void {
  const code = mfaCodeHandlers(deps);
  router.get(paths.mfa, code.guard, code.mfaGet);
  router.post(paths.mfa, code.guard, code.mfaPost);
  const select = mfaSelectHandlers(deps);
  router.get(paths.mfaSelect, select.guard, select.selectGet);
  router.post(paths.mfaSelect, select.guard, select.selectPost);
  const setup = mfaSetupHandlers(deps);
  router.get(paths.mfaSetup, setup.guard, setup.setupGet);
  router.get(paths.mfaSetupQr, setup.guard, setup.qrGet);
  router.post(paths.mfaSetup, setup.guard, setup.setupPost);
}
