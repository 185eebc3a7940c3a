// The one way a Cognito command goes out: SDK client, per-call deadline, at most one retry, translated errors.
import {
  CognitoIdentityProviderClient,
  type $Command,
  type CognitoIdentityProviderClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-cognito-identity-provider';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { CognitoSettings } from './settings.ts';
import { toAuthError } from './errors.ts';

/** Told of every call: its operation, outcome (`ok` or the exception's name) and duration. */
export type CallObserver = (operation: string, outcome: string, seconds: number) => void;

/** A command class of the Cognito client (InitiateAuthCommand, ...): the input it takes, the output it gives. */
export type CommandClass<I extends ServiceInputTypes, O extends ServiceOutputTypes> = new (
  input: I,
) => $Command<I, O, CognitoIdentityProviderClientResolvedConfig, ServiceInputTypes, ServiceOutputTypes>;

/** Sends `new Command(input)` and resolves to its output; throws only AuthError. */
export type Send = <I extends ServiceInputTypes, O extends ServiceOutputTypes>(
  Command: CommandClass<I, O>,
  input: I,
) => Promise<O>;

/**
 * A `send` over one SDK client. Each call has `settings.timeoutMs` overall; every failure becomes an AuthError. A
 * person is waiting, so at most one retry, and only when Cognito answered with a server error (it did nothing) or
 * the connection dropped before any answer (a kept-alive socket the other end had just closed: the SDK's own
 * retry would take it again, ours replaces it): never after throttling (LimitExceeded, TooManyRequests) or a
 * timeout, which a retry cannot fix in time.
 */
export function createSender(settings: CognitoSettings, observe: CallObserver | undefined): Send {
  const client = createClient(settings, observe);
  return async (Command, input) => {
    const abortSignal = AbortSignal.timeout(settings.timeoutMs);
    for (let attempt = 1; ; attempt++) {
      try {
        return await client.send(new Command(input), { abortSignal });
      } catch (err) {
        if (attempt === 1 && !abortSignal.aborted && (isServerError(err) || isDroppedConnection(err)))
          continue;
        throw toAuthError(err, Command.name.replace(/Command$/, ''));
      }
    }
  };
}

/** The SDK client: `settings.endpoint` points it at an emulator; `observe` is told of every attempt. */
function createClient(settings: CognitoSettings, observe: CallObserver | undefined) {
  const client = new CognitoIdentityProviderClient({
    region: settings.region,
    ...(settings.endpoint
      ? { endpoint: settings.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    // Retries are ours (see `createSender`): the SDK's would also retry throttling, which only makes a busy Cognito
    // busier.
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(settings.timeoutMs, 3000),
      requestTimeout: settings.timeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
  if (observe) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const started = process.hrtime.bigint();
        const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
        const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
        try {
          const out = await next(args);
          observe(operation, 'ok', seconds());
          return out;
        } catch (err) {
          observe(operation, (err as Error).name || 'error', seconds());
          throw err;
        }
      },
      { step: 'initialize', name: 'observeCalls' },
    );
  }
  return client;
}

/** A 5xx answer from Cognito (InternalErrorException, a proxy's 502): the request was not carried out. */
function isServerError(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}

/**
 * The connection broke before an answer came (ECONNRESET, "socket hang up", EPIPE). The SDK names these
 * TimeoutError but keeps Node's code; its own deadlines (connection, response) carry no code and are not retried.
 */
function isDroppedConnection(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}
