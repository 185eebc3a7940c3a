// The home page: a sign-in link for visitors, who you are for signed-in users.
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { paths } from '../../paths.ts';
import type { FlowDeps } from '../types.ts';

export function homeRoutes(router: Router, deps: FlowDeps): void {
  router.get(paths.home, function homeGet(ctx: Context) {
    deps.renderer.render(ctx, 'pages/home.njk');
  });
}
