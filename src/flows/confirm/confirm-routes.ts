// Routes of the confirmation page and its resend button.
import type { Router } from '@koa/router';
import { paths } from '../../paths.ts';
import type { FlowDeps } from '../types.ts';
import { confirmHandlers } from './confirm-handlers.ts';

export function confirmRoutes(router: Router, deps: FlowDeps): void {
  const h = confirmHandlers(deps);
  router.get(paths.confirm, h.confirmGet);
  router.post(paths.confirm, h.confirmPost);
  router.post(paths.confirmResend, h.resendPost);
}
