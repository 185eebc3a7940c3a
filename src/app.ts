// Builds the Koa application from a config and its dependencies: middleware order and routes, nothing else.
import { randomBytes } from 'node:crypto';
import { Router } from '@koa/router';
import Koa, { type Context, type Middleware } from 'koa';
import compose from 'koa-compose';
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
import { codeLimitSettings, createCodeLimits } from './flows/code-limits.ts';
import type { FlowDeps } from './flows/types.ts';
import { loadBrand, type Brand } from './branding/brand.ts';
import { loadCatalogues } from './i18n/index.ts';
import './koa-context.ts';
import type { Logger } from './logger.ts';
import { verifyCsrf } from './middleware/csrf.ts';
import { errorHandler } from './middleware/error-handler.ts';
import { formBody } from './middleware/form-body.ts';
import { language } from './middleware/language.ts';
import { HttpError } from './http-error.ts';
import { noStore, securityHeaders } from './middleware/security-headers.ts';
import { loginThrottleFor, type LoginThrottle } from './rate-limit/login-throttle.ts';
import { limitRoutes } from './rate-limit/auth-rate-limit.ts';
import { createAnswerLimit } from './rate-limit/answer-limit.ts';
import { countCodeAnswers } from './flows/challenge/answer-errors.ts';
import { MEMORY_LIMITS, type LimiterBackend } from './rate-limit/limiter-backend.ts';
import type { SessionStore } from './session/memory-store.ts';
import { sessionMiddleware } from './session/session-middleware.ts';
import { createAuthResolver } from './session/resolve-auth.ts';
import { createBearerAuth } from './session/bearer-auth.ts';
import { DEFAULT_ACCESS_RULES, type AccessRules } from './access/rules-format.ts';
import type { IdentityAsserter } from './identity/assertion.ts';
import { ephemeralAsserter } from './identity/ephemeral-asserter.ts';
import { mountAt, underBasePath } from './middleware/base-path.ts';
import { paths } from './paths.ts';
import { createAnswers } from './protect/answers.ts';
import { createGate, type KeptPass, type SessionPass } from './protect/gate.ts';
import { createLru } from './lru.ts';
import { createFirstVisit } from './middleware/first-visit.ts';
import { createKeptAccountPages, type KeptAccountPage } from './flows/account/kept-account-page.ts';
import { csrfCookieName } from './session/csrf-token.ts';
import { createFastPath, upstreamFailureOf, type FastPath } from './protect/fast-path.ts';
import { SessionCopies } from './session/session-copies.ts';
import { sessionCookieName } from './session/session-middleware.ts';
import { protectStack, protectUpgrades } from './protect/protect-stack.ts';
import type { UpstreamProxy } from './protect/upstream-proxy.ts';
import { forwardAuthRoutes } from './flows/forward-auth/forward-auth-routes.ts';
import { createPendingAuthorizations } from './flows/hosted/pending-authorization.ts';
import { createRecentSignUps } from './flows/signup/recent-sign-ups.ts';
import { CookieKeys } from './session/cookie-keys.ts';
import { createDeviceVault } from './session/device-vault.ts';
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
  /** Signs `x-amzn-oidc-data` for protected apps (the runtime loads its keys); a key of this process if not given. */
  asserter?: IdentityAsserter;
  /** The access rules in force; any signed-in user when not given. */
  accessRules?: () => AccessRules;
  /** The reverse proxy to UPSTREAM_URL, when one is configured. */
  upstream?: UpstreamProxy;
}

/** WebSocket upgrades of a protected app, for the server's `upgrade` event (none without UPSTREAM_URL). */
const upgradeHandlers = new WeakMap<Koa, ReturnType<typeof protectUpgrades>>();

/** The upgrade handler of an app made by createApp, if it proxies to an upstream. */
export function upgradeHandlerOf(app: Koa): ReturnType<typeof protectUpgrades> | undefined {
  return upgradeHandlers.get(app);
}

/** Forward-auth answers for kept session passes, before Koa (protect/fast-path.ts). */
const fastPaths = new WeakMap<Koa, FastPath>();

/** What a server runs on each request before handing it to the app's callback (false: not answered). */
export function fastPathOf(app: Koa): FastPath {
  return fastPaths.get(app) ?? ((req, res, koa) => koa(req, res));
}

/** How many passes of signed-in sessions (and as many of Bearer tokens) are kept for their next requests (about 2 KB each). */
const KEPT_PASSES = 10_000;
/**
 * How many account pages of signed-in sessions are kept for their next visits (each a page of about 3 KB and its
 * headers): the most recently used, so the sessions in use keep theirs; a few MB at most however many sign in.
 */
const KEPT_ACCOUNT_PAGES = 1_000;

const MAX_URL_LENGTH = 4096;

const limitUrl: Middleware = async function limitUrl(ctx, next) {
  if (ctx.url.length > MAX_URL_LENGTH) throw new HttpError(414, 'URL too long');
  await next();
};

/** Every route has one spelling: `/Login`, `/login/` and the like are not it (404), so no limit can be missed. */
const ONE_SPELLING = { sensitive: true, strict: true } as const;

/** A router's routes as plain Koa middleware (koa-compose's types want one context type for all). */
const routesOf = (router: Router): Middleware => router.routes() as unknown as Middleware;

/**
 * Which requests are ours. Under a BASE_PATH, everything below it. At `/`: everything when no app is behind us;
 * with one, our routes only (exact paths, the theme's assets, the key endpoints), and the rest is the app's.
 */
function ourPaths(basePath: string, brand: Brand, upstream: boolean): (path: string) => boolean {
  if (basePath) return (path) => underBasePath(basePath, path);
  if (!upstream) return () => true;
  const exact = new Set<string>([...Object.values(paths), ...brand.assets.keys()]);
  exact.delete(paths.home);
  return (path) => exact.has(path) || path.startsWith(`${paths.authKeys}/`);
}

/** The whole app. `config.cognito` must be set (server.ts fills it in local mode). */
export function createApp(config: Config, deps: AppDeps): Koa {
  if (!config.cognito) throw new Error('createApp needs config.cognito');
  const secrets =
    config.session.keys.length > 0 ? [...config.session.keys] : [randomBytes(32).toString('base64url')];
  const app = new Koa();
  // Signed cookies in keygrip's format, checked without keygrip's per-check random bytes (session/cookie-keys.ts).
  const keys = new CookieKeys(secrets);
  app.keys = keys;
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
  const limits = deps.limiterBackend ?? MEMORY_LIMITS;
  const refresher = createTokenRefresher(deps.cognito, deps.verifier);
  const basePath = config.protect.basePath;
  const asserter =
    deps.asserter ??
    ephemeralAsserter({
      region: config.cognito.region,
      userPoolId: config.cognito.userPoolId,
      clientId: config.cognito.clientId,
      signerArn: config.protect.identitySigner,
    });
  // Our own answers in front of the app get what our pages get; the app's own responses get none of it.
  const hostedUi = config.cognito.hostedUiUrl ? [config.cognito.hostedUiUrl] : [];
  const headers = securityHeaders({ https: config.secureCookies, formTargets: hostedUi });
  const ownAnswerHeaders = [headers, noStore(), language({ secureCookies: config.secureCookies })];
  const resolveAuth = createAuthResolver({
    absoluteTimeoutMs: config.session.absoluteTimeoutMs,
    refresher,
    clock,
    logger: deps.logger,
  });
  const renderer = createRenderer(rendererOptionsFrom(config, brand, catalogues, deps.localInboxUrl));
  const copies = new SessionCopies<SessionPass>(deps.sessionStore.changes, KEPT_PASSES);
  const accountPages = new SessionCopies<KeptAccountPage>(deps.sessionStore.changes, KEPT_ACCOUNT_PAGES);
  const tokenPasses = createLru<KeptPass>(KEPT_PASSES);
  const rules = deps.accessRules ?? (() => DEFAULT_ACCESS_RULES);
  const flowDeps: FlowDeps = {
    config,
    cognito: deps.cognito,
    verifier: deps.verifier,
    refresher,
    resolveAuth,
    sessionStore: deps.sessionStore,
    renderer,
    loginThrottle: deps.loginThrottle ?? loginThrottleFor(config.rateLimit, limits),
    codeLimits: createCodeLimits(codeLimitSettings(config), deps.limiterBackend ?? MEMORY_LIMITS, clock),
    recentSignUps: createRecentSignUps(deps.sessionStore, secrets),
    devices: createDeviceVault(deps.sessionStore, {
      secure: config.secureCookies,
      days: config.signIn.rememberDeviceDays,
      clock,
    }),
    hostedUi: createHostedUi(config.cognito, metrics.cognitoCall),
    brand,
    passwordPolicy: deps.passwordPolicy ?? config.passwordPolicy ?? DEFAULT_PASSWORD_POLICY,
    logger: deps.logger,
    clock,
    returnTo: createReturnTo({
      ownOrigin: config.appBaseUrl.origin,
      allowedHosts: config.allowedRedirectHosts,
      allowHttp: config.mode === 'local',
      fallback: `${basePath}${paths.account}`,
    }),
    publicPath: (p) => `${basePath}${p}`,
    pendingAuthorizations: createPendingAuthorizations(secrets, config.secureCookies),
    gate: createGate({
      resolveAuth,
      bearer: createBearerAuth({ verifier: deps.verifier, cognito: deps.cognito, clock }),
      rules,
      asserter,
      passAccessToken: config.protect.passAccessToken,
      copies,
      tokenPasses,
    }),
    answers: createAnswers(renderer, ownAnswerHeaders),
    asserter,
    accountPages,
  };

  const probes = new Router(ONE_SPELLING);
  healthRoutes(probes, flowDeps);
  metricsRoutes(probes, metrics.registry, config.metricsToken, {
    open: config.mode === 'local',
    ownPort: config.metricsPort !== undefined,
  });
  const router = new Router(ONE_SPELLING);
  // The limits first, as route middleware: they run for whatever request reaches the routes they guard.
  limitRoutes(router, config.rateLimit, limits);
  countCodeAnswers(
    router,
    createAnswerLimit(limits, {
      maxAnswers: config.mfa.maxAttempts,
      windowSeconds: config.mfa.challengeMinutes * 60,
    }),
    flowDeps,
  );
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

  const secureCookies: Middleware = async function secureCookies(ctx, next) {
    // TLS ends at the proxy in front of us; the public origin (APP_BASE_URL) is https, so cookies are Secure.
    if (config.secureCookies) (ctx.cookies as unknown as { secure: boolean }).secure = true;
    await next();
  };
  const errors = errorHandler(renderer, deps.logger);
  const session = sessionMiddleware(
    app,
    { secure: config.secureCookies, ...config.session },
    deps.sessionStore,
    [copies, accountPages],
  );
  const forwardAuth = new Router(ONE_SPELLING);
  forwardAuthRoutes(forwardAuth, flowDeps);

  // Our own pages and endpoints, in order: error pages first, probes before the session, forms last.
  const ourStack: Middleware[] = [
    ...(basePath ? [mountAt(basePath)] : []),
    errors,
    headers,
    secureCookies,
    noStore(),
    limitUrl,
    staticAssets(brand),
    language({ secureCookies: config.secureCookies }),
    // Probes answer before sessions are loaded: a store outage must show in /readyz, not break it.
    routesOf(probes),
    session,
    routesOf(forwardAuth),
    formBody(),
    verifyCsrf(config.appBaseUrl.origin),
    routesOf(router),
    router.allowedMethods() as unknown as Middleware,
  ];
  const ours: Middleware = compose(ourStack);
  // Forward auth, asked before every request of the app behind nginx, Caddy or Traefik: only what its answer needs
  // (our own pages from /auth/forward bring their headers with them, see protect/answers.ts).
  const checks: Middleware = compose([
    ...(basePath ? [mountAt(basePath)] : []),
    errors,
    secureCookies,
    limitUrl,
    session,
    routesOf(forwardAuth),
    forwardAuth.allowedMethods() as unknown as Middleware,
  ]);
  const checkPaths = new Set([paths.authCheck, paths.authForward].map((p) => `${basePath}${p}`));
  const isOurs = ourPaths(basePath, brand, Boolean(deps.upstream));
  // A request the fast path proxied, whose upstream failed before answering: our 502 or 504 page.
  const upstreamFailed: Middleware = compose([
    errors,
    secureCookies,
    async function upstreamFailedAnswer(ctx: Context) {
      (ctx as unknown as { _matchedRoute: string })._matchedRoute = 'upstream';
      await flowDeps.answers.upstreamFailed(ctx, upstreamFailureOf(ctx.req)!);
    } as Middleware,
  ]);
  const protectFast = createFastPath({
    copies,
    tokenPasses,
    cookieName: sessionCookieName(config.secureCookies, config.session.cookieDomain),
    keys,
    checkPaths: new Map(
      [paths.authCheck, paths.authForward].map((p) => [`${basePath}${p}`, metrics.recorder(p)]),
    ),
    trusted: config.trustProxy > 0,
    rules,
    clock,
    upstream: deps.upstream && {
      proxy: deps.upstream,
      isOurs: (path) => isOurs(path),
      record: metrics.recorder('upstream'),
    },
  });
  // First visits to the form pages (no cookie, no query): the page Koa made for the last one, with a new CSRF binding.
  const firstVisit = createFirstVisit({
    app,
    pages: new Map(
      [paths.login, paths.signup, paths.forgotPassword].map((p) => [`${basePath}${p}`, metrics.recorder(p)]),
    ),
    csrfCookie: csrfCookieName(config.secureCookies),
  });
  // A signed-in session's next visits to its account page: the page Koa sent it, while nothing could change it.
  const keptAccountPages = createKeptAccountPages({
    copies: accountPages,
    path: `${basePath}${paths.account}`,
    cookieName: sessionCookieName(config.secureCookies, config.session.cookieDomain),
    keys,
    clock,
    record: metrics.recorder(paths.account),
  });
  fastPaths.set(app, (req, res, koa) =>
    config.development
      ? protectFast(req, res, koa)
      : firstVisit(req, res, (rq, rs) => keptAccountPages(rq, rs, (r, s) => protectFast(r, s, koa))),
  );
  // Everything else: the protected app when UPSTREAM_URL is set, else our 404 page.
  const theirs: Middleware = deps.upstream
    ? protectStack({
        gate: flowDeps.gate,
        answers: flowDeps.answers,
        upstream: deps.upstream,
        loginPath: flowDeps.publicPath(paths.login),
        origin: config.appBaseUrl.origin,
        errorHandler: compose([errors, secureCookies]),
        session,
      })
    : compose([errors, headers, noStore()]);
  if (deps.upstream) {
    upgradeHandlers.set(
      app,
      protectUpgrades(app, {
        gate: flowDeps.gate,
        upstream: deps.upstream,
        origin: config.appBaseUrl.origin,
        session: compose([secureCookies, session]),
      }),
    );
  }
  app.use(metrics.middleware());
  app.use(async function dispatch(ctx, next) {
    if (upstreamFailureOf(ctx.req) !== undefined) {
      await upstreamFailed(ctx, next);
      return;
    }
    const path = ctx.path;
    await (checkPaths.has(path) ? checks(ctx, next) : isOurs(path) ? ours(ctx, next) : theirs(ctx, next));
  });
  return app;
}
