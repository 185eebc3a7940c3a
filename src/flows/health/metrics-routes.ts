// GET /metrics for Prometheus; behind a bearer token when METRICS_TOKEN is set.
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import type { Registry } from 'prom-client';
import { constantTimeEqual } from '../../constant-time.ts';
import { paths } from '../../paths.ts';

export function metricsRoutes(router: Router, registry: Registry, token: string | undefined): void {
  router.get(paths.metrics, async function metrics(ctx: Context) {
    if (token !== undefined) {
      const sent = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1] ?? '';
      if (!constantTimeEqual(sent, token)) {
        ctx.status = 401;
        ctx.set('WWW-Authenticate', 'Bearer');
        ctx.body = { error: 'unauthorized' };
        return;
      }
    }
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
}
