// The AWS Lambda entry point: API Gateway HTTP APIs (payload 2.0), REST APIs (1.0), ALB targets and function URLs.
// The app is built once per container, at module load (Lambda's init phase), through the same wiring module as
// the server; each event goes through serverless-http to the app's Koa callback. Cognito is the real service (or
// an emulator named by COGNITO_ENDPOINT, for tests): local mode's in-process emulator never runs in a Lambda.
import type { ServerResponse } from 'node:http';
import serverless from 'serverless-http';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { resolveSecretSources } from './config/secret-sources.ts';
import { createLogger, type Logger } from './logger.ts';
import { createRuntime, type Runtime, type RuntimeOptions } from './runtime.ts';

/** The parts of an invocation's event the handler looks at; serverless-http reads the rest. */
export interface LambdaEvent {
  version?: string;
  requestContext?: { elb?: unknown; http?: { method?: string; [key: string]: unknown } } & Record<
    string,
    unknown
  >;
  multiValueHeaders?: Record<string, string[] | undefined> | null;
  [key: string]: unknown;
}

/** What API Gateway, the ALB or the function URL turns into an HTTP response. */
export interface LambdaResult {
  statusCode: number;
  body: string;
  isBase64Encoded: boolean;
  headers?: Record<string, string>;
  /** REST APIs (1.0) and ALB targets with multi-value headers: every Set-Cookie. */
  multiValueHeaders?: Record<string, string[]>;
  /** HTTP APIs (2.0) and function URLs: every Set-Cookie. */
  cookies?: string[];
}

export type LambdaHandler = (event: LambdaEvent, context?: object) => Promise<LambdaResult>;

/**
 * Content types sent as text (UTF-8) rather than base64. REST APIs pass a base64 body through undecoded unless its
 * type is one of the API's binary media types, so only what is really binary (images other than SVG, fonts) goes
 * as base64; any Content-Encoding makes a body binary as well.
 */
const TEXT_TYPE = /^(text\/|application\/(json|javascript|xml|x-www-form-urlencoded)$|[^;]*\+(json|xml)$)/i;

export function isBinaryResponse(headers: Record<string, unknown>): boolean {
  if (headers['content-encoding']) return true;
  const contentType = headers['content-type'];
  const type = (typeof contentType === 'string' ? contentType : '').split(';')[0]!.trim();
  return type !== '' && !TEXT_TYPE.test(type);
}

/** The config the handler runs with; refuses local mode (no COGNITO_USER_POOL_ID) with a clear error. */
export function lambdaConfig(env: Record<string, string | undefined> = process.env): Config {
  const config = loadConfig(env);
  if (config.mode === 'local') {
    throw new ConfigError([
      'COGNITO_USER_POOL_ID: required in AWS Lambda (with COGNITO_CLIENT_ID and COGNITO_CLIENT_SECRET): ' +
        "the Lambda handler never runs local mode's emulator; set COGNITO_ENDPOINT too to use a running emulator",
    ]);
  }
  return config;
}

/** Builds the app through the wiring module and wraps its Koa callback for Lambda events. */
export async function createLambdaHandler(
  config: Config,
  options: RuntimeOptions = {},
): Promise<{ handler: LambdaHandler; runtime: Runtime }> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const runtime = await createRuntime(config, { ...options, logger });
  if (config.session.store === 'memory') {
    logger.warn(
      'SESSION_STORE=memory in a Lambda: sessions live in one container only and are lost when it stops; ' +
        'set SESSION_STORE=dynamodb',
    );
  }
  // The app's Koa callback, without the server's kept-pass fast path (a listener in front of Koa on a Node
  // server): every event goes through Koa, whose answers are the same.
  const wrapped = serverless(runtime.app, {
    binary: isBinaryResponse,
    response: (res: ServerResponse, event: LambdaEvent) => singleValueAlbCookies(res, event, logger),
  }) as unknown as LambdaHandler;
  return { handler: wrapped, runtime };
}

let warnedSingleValue = false;

/**
 * An ALB target group without multi-value headers takes one value per header: serverless-http would drop Set-Cookie
 * altogether (Koa keeps it as a list). One cookie is sent as a plain header; with several, only the first goes
 * through and the operator is told to turn multi-value headers on.
 */
function singleValueAlbCookies(res: ServerResponse, event: LambdaEvent, logger: Logger): void {
  if (!event.requestContext?.elb || event.multiValueHeaders) return;
  const cookies = res.getHeader('set-cookie');
  if (!Array.isArray(cookies) || cookies.length === 0) return;
  if (cookies.length > 1 && !warnedSingleValue) {
    warnedSingleValue = true;
    logger.error(
      'the ALB target group sends single-value headers: only one Set-Cookie per response can pass; ' +
        'turn on multi-value headers (lambda.multi_value_headers.enabled) on the target group',
    );
  }
  res.setHeader('set-cookie', cookies[0]!);
}

/**
 * Built once per container: a cold start builds it during init (secrets from Secrets Manager or SSM read then),
 * warm invocations reuse it.
 */
const built = (async () => createLambdaHandler(lambdaConfig(await resolveSecretSources(process.env))))();
// A failed start is reported by every invocation (below), not as an unhandled rejection at load.
built.catch(() => undefined);

/** The runtime built for this container (a Lambda is frozen, never stopped: only tests close it). */
export async function containerRuntime(): Promise<Runtime> {
  return (await built).runtime;
}

/** The Lambda handler: `src/lambda.handler` (built: `dist/lambda.handler`). */
export async function handler(event: LambdaEvent, context?: object): Promise<LambdaResult> {
  let serve: LambdaHandler;
  try {
    serve = (await built).handler;
  } catch (err) {
    // Lambda logs the thrown error and answers 502; the message names what to fix.
    process.stderr.write(`Could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    throw err;
  }
  return serve(event, context ?? {});
}
