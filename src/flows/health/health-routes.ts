// Liveness and readiness probes for load balancers and orchestrators.
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { paths } from '../../paths.ts';
import type { FlowDeps } from '../types.ts';

export function healthRoutes(router: Router, deps: FlowDeps): void {
  router.get(paths.healthz, function healthz(ctx: Context) {
    ctx.body = { status: 'ok' };
  });

  router.get(paths.readyz, async function readyz(ctx: Context) {
    const jwks = deps.verifier.ready();
    const store = await deps.sessionStore.ping().catch(() => false);
    ctx.status = jwks && store ? 200 : 503;
    ctx.body = {
      status: jwks && store ? 'ready' : 'not ready',
      jwks,
      sessionStore: store,
      sessionStoreKind: deps.config.session.store,
    };
  });
}
