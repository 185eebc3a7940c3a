// Builds the Koa application from a config and its dependencies: middleware order and routes, nothing else.
import { randomBytes } from 'node:crypto';
import { Router } from '@koa/router';
import Koa from 'koa';
import type { CognitoGateway } from './cognito/gateway.ts';
import type { TokenVerifier } from './cognito/verifier.ts';
import { ConfigError, type Config } from './config.ts';
import { createHostedUi } from './cognito/hosted-ui.ts';
import { accountRoutes } from './flows/account/account-routes.ts';
import { hostedRoutes } from './flows/hosted/hosted-routes.ts';
import { accountMfaRoutes } from './flows/account-mfa/account-mfa-routes.ts';
import { healthRoutes } from './flows/health/health-routes.ts';
import { metricsRoutes } from './flows/health/metrics-routes.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { homeRoutes } from './flows/home/home-routes.ts';
import { loginRoutes } from './flows/login/login-routes.ts';
import { logoutRoutes } from './flows/logout/logout-routes.ts';
import { mfaRoutes } from './flows/mfa/mfa-routes.ts';
import { newPasswordRoutes } from './flows/new-password/new-password-routes.ts';
import { confirmRoutes } from './flows/confirm/confirm-routes.ts';
import { recoveryRoutes } from './flows/recovery/recovery-routes.ts';
import { signupRoutes } from './flows/signup/signup-routes.ts';
import type { FlowDeps } from './flows/types.ts';
import { loadBrand } from './branding/brand.ts';
import { loadCatalogues } from './i18n/index.ts';
import './koa-context.ts';
import type { Logger } from './logger.ts';
import { verifyCsrf } from './middleware/csrf.ts';
import { errorHandler } from './middleware/error-handler.ts';
import { formBody } from './middleware/form-body.ts';
import { language } from './middleware/language.ts';
import { HttpError } from './http-error.ts';
import { noStore, securityHeaders } from './middleware/security-headers.ts';
import { createLoginThrottleOn, type LoginThrottle } from './rate-limit/login-throttle.ts';
import { authRateLimit } from './rate-limit/auth-rate-limit.ts';
import { MEMORY_LIMITS, type LimiterBackend } from './rate-limit/limiter-backend.ts';
import type { SessionStore } from './session/memory-store.ts';
import { sessionMiddleware } from './session/session-middleware.ts';
import { createAuthResolver } from './session/resolve-auth.ts';
import { createTokenRefresher } from './session/token-refresh.ts';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from './password-policy.ts';
import { createReturnTo } from './return-to.ts';
import { staticAssets } from './static-assets.ts';
import { createRenderer, rendererOptionsFrom } from './views.ts';

export interface AppDeps {
  cognito: CognitoGateway;
  verifier: TokenVerifier;
  sessionStore: SessionStore;
  logger: Logger;
  clock?: () => number;
  /** The pool's password policy (server.ts reads it at start); else the configured or Cognito's default one. */
  passwordPolicy?: PasswordPolicy;
  /** Failed sign-ins per account; in `limiterBackend` unless given. */
  loginThrottle?: LoginThrottle;
  /** Where rate-limit counters live (Redis with SESSION_STORE=redis); this process's memory unless given. */
  limiterBackend?: LimiterBackend;
  /** Prometheus metrics (server.ts shares them with the Cognito gateway); a fresh set when not given. */
  metrics?: Metrics;
  /** Where the local emulator's inbox is, shown in the footer in local mode. */
  localInboxUrl?: string;
}

const MAX_URL_LENGTH = 4096;

/** The whole app. `config.cognito` must be set (server.ts fills it in local mode). */
export function createApp(config: Config, deps: AppDeps): Koa {
  if (!config.cognito) throw new Error('createApp needs config.cognito');
  const app = new Koa({
    keys: config.session.keys.length > 0 ? [...config.session.keys] : [randomBytes(32).toString('base64url')],
  });
  app.silent = true;
  // The client IP (rate limits) is taken from X-Forwarded-For only as far as TRUST_PROXY proxies vouch for it.
  app.proxy = config.trustProxy > 0;
  app.maxIpsCount = config.trustProxy;
  const metrics = deps.metrics ?? createMetrics();
  const brand = loadBrand(config);
  const catalogues = loadCatalogues(brand.messages, config.messagesFile);
  const unlabelled = config.signup.fields.filter((f) => !(`attribute.${f.attribute}` in catalogues.en));
  if (unlabelled.length > 0) {
    throw new ConfigError(
      unlabelled.map(
        (f) =>
          `SIGNUP_FIELDS: ${f.attribute} has no label; add "attribute.${f.attribute}" to the MESSAGES_FILE`,
      ),
    );
  }
  const clock = deps.clock ?? Date.now;
  const refresher = createTokenRefresher(deps.cognito, deps.verifier);
  const renderer = createRenderer(rendererOptionsFrom(config, brand, catalogues, deps.localInboxUrl));
  const flowDeps: FlowDeps = {
    config,
    cognito: deps.cognito,
    verifier: deps.verifier,
    refresher,
    resolveAuth: createAuthResolver({
      absoluteTimeoutMs: config.session.absoluteTimeoutMs,
      refresher,
      clock,
      logger: deps.logger,
    }),
    sessionStore: deps.sessionStore,
    renderer,
    loginThrottle: deps.loginThrottle ?? createLoginThrottleOn(deps.limiterBackend ?? MEMORY_LIMITS),
    hostedUi: createHostedUi(config.cognito, metrics.cognitoCall),
    brand,
    passwordPolicy: deps.passwordPolicy ?? config.passwordPolicy ?? DEFAULT_PASSWORD_POLICY,
    logger: deps.logger,
    clock,
    returnTo: createReturnTo({
      ownOrigin: config.appBaseUrl.origin,
      allowedHosts: config.allowedRedirectHosts,
      allowHttp: config.mode === 'local',
    }),
  };

  const probes = new Router();
  healthRoutes(probes, flowDeps);
  metricsRoutes(probes, metrics.registry, config.metricsToken);
  const router = new Router();
  homeRoutes(router, flowDeps);
  loginRoutes(router, flowDeps);
  logoutRoutes(router, flowDeps);
  signupRoutes(router, flowDeps);
  confirmRoutes(router, flowDeps);
  recoveryRoutes(router, flowDeps);
  newPasswordRoutes(router, flowDeps);
  mfaRoutes(router, flowDeps);
  accountMfaRoutes(router, flowDeps);
  hostedRoutes(router, flowDeps);
  accountRoutes(router, flowDeps);

  // Form posts may end in a redirect to the hosted UI (sign-out, challenges we cannot answer).
  const hostedUi = config.cognito.hostedUiUrl ? [config.cognito.hostedUiUrl] : [];
  app.use(metrics.middleware());
  app.use(errorHandler(renderer, deps.logger));
  app.use(securityHeaders({ https: config.secureCookies, formTargets: hostedUi }));
  if (config.secureCookies) {
    // TLS ends at the proxy in front of us; the public origin (APP_BASE_URL) is https, so cookies are Secure.
    app.use(async function secureCookies(ctx, next) {
      (ctx.cookies as unknown as { secure: boolean }).secure = true;
      await next();
    });
  }
  app.use(noStore());
  app.use(async function limitUrl(ctx, next) {
    if (ctx.url.length > MAX_URL_LENGTH) throw new HttpError(414, 'URL too long');
    await next();
  });
  app.use(staticAssets(brand));
  app.use(language({ secureCookies: config.secureCookies }));
  // Probes answer before sessions are loaded: a store outage must show in /readyz, not break it.
  app.use(probes.routes());
  app.use(sessionMiddleware(app, { secure: config.secureCookies, ...config.session }, deps.sessionStore));
  app.use(formBody());
  app.use(verifyCsrf(config.appBaseUrl.origin));
  app.use(authRateLimit(config.rateLimit, deps.limiterBackend ?? MEMORY_LIMITS));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
