// Routes of the forgotten-password and reset-password pages.
import type { Router } from '@koa/router';
import { paths } from '../../paths.ts';
import type { FlowDeps } from '../types.ts';
import { recoveryHandlers } from './recovery-handlers.ts';

export function recoveryRoutes(router: Router, deps: FlowDeps): void {
  const h = recoveryHandlers(deps);
  router.get(paths.forgotPassword, h.forgotGet);
  router.post(paths.forgotPassword, h.forgotPost);
  router.get(paths.resetPassword, h.resetGet);
  router.post(paths.resetPassword, h.resetPost);
}
