// Routes of the sign-in page.
import type { Router } from '@koa/router';
import { paths } from '../../paths.ts';
import type { FlowDeps } from '../types.ts';
import { loginHandlers } from './login-handlers.ts';
import { choiceHandlers } from './login-choice.ts';

export function loginRoutes(router: Router, deps: FlowDeps): void {
  const h = loginHandlers(deps);
  router.get(paths.login, h.loginGet);
  router.post(paths.login, h.loginPost);
  // Choice-based sign-in (PASSWORDLESS): the way in, and a passkey's answer.
  if (deps.config.signIn.passwordless.length > 0) {
    const c = choiceHandlers(deps, h.signInWithPasswordOn);
    router.get(paths.loginChoose, c.chooseGuard, c.chooseGet);
    router.post(paths.loginChoose, c.chooseGuard, c.choosePost);
    router.get(paths.loginPasskey, c.passkeyGuard, c.passkeyGet);
    router.post(paths.loginPasskey, c.passkeyGuard, c.passkeyPost);
  }
}
