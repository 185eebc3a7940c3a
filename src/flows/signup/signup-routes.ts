// Routes of the sign-up page.
import type { Router } from '@koa/router';
import { paths } from '../../paths.ts';
import type { FlowDeps } from '../types.ts';
import { signupHandlers } from './signup-handlers.ts';

export function signupRoutes(router: Router, deps: FlowDeps): void {
  const h = signupHandlers(deps);
  router.get(paths.signup, h.signupGet);
  router.post(paths.signup, h.signupPost);
}
