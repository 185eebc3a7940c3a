// Routes of the sign-in page.
import type { Router } from '@koa/router';
import { paths } from '../../paths.ts';
import type { FlowDeps } from '../types.ts';
import { loginHandlers } from './login-handlers.ts';

export function loginRoutes(router: Router, deps: FlowDeps): void {
  const h = loginHandlers(deps);
  router.get(paths.login, h.loginGet);
  router.post(paths.login, h.loginPost);
}
