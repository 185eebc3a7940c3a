// HTTP routing: Cognito's JSON protocol on POST /, the hosted UI, JWKS and OpenID metadata, and /_local/ helpers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CognitoError } from './errors.ts';
import { renderInbox } from './inbox.ts';
import type { Input, OpContext } from './operations/context.ts';
import { OPERATIONS } from './operations/index.ts';
import { issuerOf } from './tokens.ts';
import {
  allowedHostsFrom,
  hostNameOf,
  isJsonRequest,
  LOOPBACK_HOSTS,
  readBody,
  send,
  sendJson,
  TooLarge,
} from './http-util.ts';
import { HostedUi } from './hosted-ui/index.ts';
import { FaultInputError, type FaultInjector } from './faults.ts';

export { MAX_BODY_BYTES } from './http-util.ts';

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const JSON_11 = 'application/x-amz-json-1.1';

/** Operations that change nothing: no state write after them. */
const READ_ONLY = new Set([
  'DescribeUserPool',
  'ListUserPools',
  'GetUserPoolMfaConfig',
  'DescribeUserPoolClient',
  'ListUserPoolClients',
  'AdminGetUser',
  'GetGroup',
  'AdminListGroupsForUser',
  'GetUser',
]);

export interface HttpDeps {
  ctx: OpContext;
  /** Calls per operation since start or the last reset. */
  calls: Map<string, number>;
  /** The emulator's own base URL (for jwks_uri). */
  endpoint: () => string;
  /** Injected faults (/_local/faults). */
  faults: FaultInjector;
  /**
   * Host names answered besides loopback ones and the emulator's own endpoint (any port), e.g. `local-cognito` on
   * a docker network; default: LOCAL_COGNITO_ALLOWED_HOSTS, comma-separated.
   */
  allowedHosts?: readonly string[];
}

function sendError(res: ServerResponse, err: CognitoError): void {
  send(res, err.status, JSON.stringify({ __type: err.name, message: err.message }), JSON_11, {
    'x-amzn-ErrorType': err.name,
  });
}

async function handleOperation(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (err) {
    if (err instanceof TooLarge) {
      res.setHeader('Connection', 'close');
      sendError(res, new CognitoError('RequestEntityTooLargeException', 'Request body is too large.', 413));
      req.destroy();
      return;
    }
    throw err;
  }
  const target = req.headers['x-amz-target'];
  const operationName =
    typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  const operation = OPERATIONS.get(operationName);
  if (!operation) {
    sendError(res, new CognitoError('UnknownOperationException', ''));
    return;
  }
  deps.calls.set(operationName, (deps.calls.get(operationName) ?? 0) + 1);
  if (await deps.faults.intercept(operationName, res, 'json-1.1')) return;
  let input: unknown;
  try {
    const text = body.toString('utf8').trim();
    input = text === '' ? {} : JSON.parse(text);
  } catch {
    sendError(
      res,
      new CognitoError('SerializationException', 'Start of structure or map found where not expected.'),
    );
    return;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    sendError(res, new CognitoError('SerializationException', 'Start of list found where not expected'));
    return;
  }
  try {
    const output = await operation(deps.ctx, input as Input);
    sendJson(res, 200, output, JSON_11);
  } catch (err) {
    if (!(err instanceof CognitoError)) throw err;
    sendError(res, err);
  } finally {
    if (!READ_ONLY.has(operationName)) deps.ctx.store.changed();
  }
}

/** POST (set one), GET (list), DELETE (clear all, or `?operation=X`) /_local/faults. */
async function handleFaults(
  faults: FaultInjector,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const invalid = (message: string, status = 400) =>
    sendJson(res, status, { error: 'InvalidFault', message });
  switch (req.method) {
    case 'GET':
      return sendJson(res, 200, { faults: faults.list() });
    case 'DELETE': {
      const operation = url.searchParams.get('operation');
      faults.clear(operation === null || operation === '' ? undefined : operation);
      return sendJson(res, 200, { faults: faults.list() });
    }
    case 'POST': {
      let text: string;
      try {
        text = (await readBody(req)).toString('utf8');
      } catch (err) {
        if (!(err instanceof TooLarge)) throw err;
        res.setHeader('Connection', 'close');
        invalid('The request body is too large.', 413);
        req.destroy();
        return;
      }
      let input: unknown;
      try {
        input = JSON.parse(text);
      } catch {
        return invalid('The body must be JSON: { "operation": "InitiateAuth", "error": "...", ... }');
      }
      try {
        faults.set(input);
      } catch (err) {
        if (err instanceof FaultInputError) return invalid(err.message);
        throw err;
      }
      return sendJson(res, 200, { faults: faults.list() });
    }
    default:
      res.setHeader('Allow', 'GET, POST, DELETE');
      return invalid('Use GET, POST or DELETE.', 405);
  }
}

function handleGet(deps: HttpDeps, path: string, res: ServerResponse): void {
  const { state } = deps.ctx.store;
  const wellKnown = /^\/([\w-]+_[0-9A-Za-z]+)\/\.well-known\/(jwks\.json|openid-configuration)$/.exec(path);
  if (wellKnown) {
    const pool = state.pools.get(wellKnown[1] ?? '');
    if (!pool) {
      sendJson(res, 404, { message: 'User pool does not exist.' });
    } else if (wellKnown[2] === 'jwks.json') {
      sendJson(res, 200, { keys: [deps.ctx.keys.publicJwk] });
    } else {
      sendJson(res, 200, {
        issuer: issuerOf(pool),
        jwks_uri: `${deps.endpoint()}/${pool.id}/.well-known/jwks.json`,
        authorization_endpoint: `${deps.endpoint()}/oauth2/authorize`,
        token_endpoint: `${deps.endpoint()}/oauth2/token`,
        userinfo_endpoint: `${deps.endpoint()}/oauth2/userInfo`,
        revocation_endpoint: `${deps.endpoint()}/oauth2/revoke`,
        end_session_endpoint: `${deps.endpoint()}/logout`,
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        code_challenge_methods_supported: ['S256'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        id_token_signing_alg_values_supported: ['RS256'],
        subject_types_supported: ['public'],
        response_types_supported: ['code'],
        scopes_supported: ['openid', 'email', 'phone', 'profile'],
      });
    }
    return;
  }
  switch (path) {
    case '/_local/health':
      sendJson(res, 200, { ok: true });
      return;
    case '/_local/messages':
      sendJson(res, 200, state.messages);
      return;
    case '/_local/inbox':
      send(res, 200, renderInbox(state.messages), 'text/html; charset=utf-8', {
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
        'X-Content-Type-Options': 'nosniff',
      });
      return;
    case '/_local/calls':
      sendJson(res, 200, Object.fromEntries(deps.calls));
      return;
    default:
      sendJson(res, 404, { message: 'Not found' });
  }
}

/**
 * Whether `req` may be answered at all: its Host must be a loopback name, the emulator's own or an allowed one. A
 * page on another site that rebinds its DNS name to 127.0.0.1 sends its own name, so it cannot read the inbox.
 */
function hostAllowed(req: IncomingMessage, allowed: ReadonlySet<string>, endpoint: string): boolean {
  const host = hostNameOf(req.headers.host);
  if (host === undefined) return false;
  return allowed.has(host) || (endpoint !== '' && host === hostNameOf(new URL(endpoint).host));
}

/**
 * A state change of the `_local` helpers (POST, DELETE) must say `Content-Type: application/json`: another site's
 * page can send a `text/plain` form POST without asking, but not JSON (that needs a CORS preflight, never granted).
 */
function simpleCrossSiteChange(req: IncomingMessage, path: string): boolean {
  const safe = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
  return path.startsWith('/_local/') && !safe && !isJsonRequest(req);
}

/** The request listener of the emulator's node:http server. */
export function createRequestListener(deps: HttpDeps) {
  const allowedHosts = new Set([
    ...LOOPBACK_HOSTS,
    ...(deps.allowedHosts ?? allowedHostsFrom(process.env.LOCAL_COGNITO_ALLOWED_HOSTS)),
  ]);
  const hostedUi = new HostedUi({
    ctx: deps.ctx,
    endpoint: deps.endpoint,
    count: (name) => deps.calls.set(name, (deps.calls.get(name) ?? 0) + 1),
    fault: (name, res) => deps.faults.intercept(name, res, 'oauth'),
  });
  return function localCognitoRequest(req: IncomingMessage, res: ServerResponse): void {
    if (!hostAllowed(req, allowedHosts, deps.endpoint())) {
      sendError(
        res,
        new CognitoError(
          'ForbiddenException',
          'This Host is not served: use 127.0.0.1, localhost or [::1], or list it in LOCAL_COGNITO_ALLOWED_HOSTS.',
          403,
        ),
      );
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://local');
    } catch {
      sendJson(res, 400, { message: 'Bad request' });
      return;
    }
    const path = url.pathname;
    if (simpleCrossSiteChange(req, path)) {
      sendJson(res, 415, {
        error: 'UnsupportedMediaType',
        message: 'Changes to /_local/ need Content-Type: application/json.',
      });
      return;
    }
    const route = async (): Promise<void> => {
      if (await hostedUi.handle(req, res, url)) return;
      if (req.method === 'POST' && path === '/') return handleOperation(deps, req, res);
      if (path === '/_local/faults') return handleFaults(deps.faults, req, res, url);
      if (req.method === 'GET') return handleGet(deps, path, res);
      if (req.method === 'DELETE' && path === '/_local/calls') {
        deps.calls.clear();
        return sendJson(res, 200, {});
      }
      sendJson(res, 404, { message: 'Not found' });
    };
    route().catch((err: unknown) => {
      deps.ctx.logger?.warn('local-cognito: internal error', { error: String(err) });
      if (!res.headersSent) sendError(res, new CognitoError('InternalErrorException', 'Internal error', 500));
      else res.destroy();
    });
  };
}
