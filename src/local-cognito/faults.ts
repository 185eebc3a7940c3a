// Fault injection for tests: per operation (or '*'), a delay, a named error, throttling, a replaced body, or a
// broken (non-JSON) answer. Set over HTTP (POST/GET/DELETE /_local/faults) or in process (setFault/clearFaults).
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { send, sendJson } from './http-util.ts';
import { OPERATIONS } from './operations/index.ts';

/** The hosted UI's endpoints, named as callCount names them. */
export const HOSTED_UI_ENDPOINTS: readonly string[] = [
  'oauth2/authorize',
  'login',
  'oauth2/token',
  'oauth2/userInfo',
  'oauth2/revoke',
  'logout',
];

/** Longest accepted delay (10 minutes). */
export const MAX_DELAY_MS = 10 * 60 * 1000;

/** What a test asks for. Effects combine: the delay comes first, then at most one answer. */
export interface FaultSpec {
  /** An X-Amz-Target operation name ('InitiateAuth'), a hosted-UI endpoint name ('oauth2/token'), or '*'. */
  operation: string;
  /** Delays the answer by this many ms; the call then proceeds normally unless another effect applies. */
  delayMs?: number;
  /** Answers `{ "__type": error, "message": ... }` with the x-amzn-ErrorType header. */
  error?: string;
  /** The error's message (default: a generic one naming the error). */
  message?: string;
  /**
   * HTTP status: of the error (default 400; 500 for InternalErrorException), of the replaced `response`
   * (default 200), or, alone, a non-JSON answer such as 500 "Internal Server Error" (a broken proxy).
   */
  status?: number;
  /** Shorthand for 400 TooManyRequestsException "Rate exceeded". */
  throttle?: boolean;
  /** How many calls the fault applies to; unlimited when unset. */
  times?: number;
  /** Replaces the successful JSON body (the operation is not run). */
  response?: Record<string, unknown>;
}

/** An active fault as listed: `times` is what is left (absent = unlimited). */
export type Fault = FaultSpec;

/** The fault was malformed; `message` says why. */
export class FaultInputError extends Error {
  override readonly name = 'FaultInputError';
}

const FIELDS = new Set([
  'operation',
  'delayMs',
  'error',
  'message',
  'status',
  'throttle',
  'times',
  'response',
]);
const ERROR_NAME = /^[A-Za-z][A-Za-z0-9_.:#-]{0,127}$/;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function integerIn(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new FaultInputError(`"${field}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Checks a fault as sent by a test and returns it normalized (throws FaultInputError). */
export function parseFault(input: unknown): Fault {
  if (!isPlainObject(input)) throw new FaultInputError('a fault must be a JSON object');
  const unknown = Object.keys(input).filter((k) => !FIELDS.has(k));
  if (unknown.length > 0) {
    throw new FaultInputError(
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; ` +
        `allowed: ${[...FIELDS].join(', ')}`,
    );
  }
  const { operation } = input;
  if (typeof operation !== 'string' || operation === '') {
    throw new FaultInputError(
      '"operation" is required: an operation name, a hosted-UI endpoint name, or "*"',
    );
  }
  if (operation !== '*' && !OPERATIONS.has(operation) && !HOSTED_UI_ENDPOINTS.includes(operation)) {
    throw new FaultInputError(
      `unknown operation "${operation}": expected an X-Amz-Target operation name (e.g. InitiateAuth), ` +
        `one of ${HOSTED_UI_ENDPOINTS.join(', ')}, or "*"`,
    );
  }
  const fault: Fault = { operation };
  if (input.delayMs !== undefined) fault.delayMs = integerIn(input.delayMs, 'delayMs', 0, MAX_DELAY_MS);
  if (input.times !== undefined) fault.times = integerIn(input.times, 'times', 1, Number.MAX_SAFE_INTEGER);
  if (input.throttle !== undefined && typeof input.throttle !== 'boolean') {
    throw new FaultInputError('"throttle" must be a boolean');
  }
  if (input.error !== undefined) {
    if (typeof input.error !== 'string' || !ERROR_NAME.test(input.error)) {
      throw new FaultInputError('"error" must be an error name such as "NotAuthorizedException"');
    }
    fault.error = input.error;
  }
  if (input.message !== undefined) {
    if (typeof input.message !== 'string') throw new FaultInputError('"message" must be a string');
    fault.message = input.message;
  }
  if (input.response !== undefined) {
    if (!isPlainObject(input.response)) throw new FaultInputError('"response" must be a JSON object');
    fault.response = input.response;
  }
  if (input.throttle === true) fault.throttle = true;
  if (fault.throttle && fault.error !== undefined) {
    throw new FaultInputError(
      '"throttle" and "error" cannot be combined ("throttle" is TooManyRequestsException)',
    );
  }
  const answersWithError = fault.throttle === true || fault.error !== undefined;
  if (answersWithError && fault.response !== undefined) {
    throw new FaultInputError('"response" cannot be combined with "error" or "throttle"');
  }
  if (fault.message !== undefined && !answersWithError) {
    throw new FaultInputError('"message" needs "error" or "throttle"');
  }
  if (input.status !== undefined) {
    fault.status =
      fault.response !== undefined
        ? integerIn(input.status, 'status', 200, 599)
        : integerIn(input.status, 'status', 400, 599);
  }
  if (
    fault.delayMs === undefined &&
    !answersWithError &&
    fault.response === undefined &&
    fault.status === undefined
  ) {
    throw new FaultInputError(
      'the fault has no effect: give "delayMs", "error", "throttle", "response" or "status"',
    );
  }
  return fault;
}

/** How a faulted call is answered. */
export type Protocol = 'json-1.1' | 'oauth';

const JSON_11 = 'application/x-amz-json-1.1';

/** The active faults of one emulator, and the timers of the calls they delay. */
export class FaultInjector {
  private readonly faults = new Map<string, Fault>();
  /** Cancels each pending delay (the call is then dropped). */
  private readonly pending = new Set<() => void>();
  private closed = false;

  /** Adds `input` (checked; throws FaultInputError), replacing the fault of the same operation. */
  set(input: unknown): Fault {
    const fault = parseFault(input);
    this.faults.set(fault.operation, fault);
    return { ...fault };
  }

  /** Clears the fault of `operation`, or all of them. */
  clear(operation?: string): void {
    if (operation === undefined) this.faults.clear();
    else this.faults.delete(operation);
  }

  list(): Fault[] {
    return [...this.faults.values()].map((f) => ({ ...f }));
  }

  /** The fault for one call of `operation` (its own, else '*'), using up one of its `times`. */
  take(operation: string): Fault | undefined {
    const fault = this.faults.get(operation) ?? this.faults.get('*');
    if (!fault) return undefined;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) this.faults.delete(fault.operation);
    }
    return fault;
  }

  /**
   * Applies the fault of `operation`, if any, to this call: true when it was answered (or dropped because the
   * client went away or the emulator closed), false to carry on normally.
   */
  async intercept(operation: string, res: ServerResponse, protocol: Protocol): Promise<boolean> {
    const fault = this.take(operation);
    if (!fault) return false;
    if (fault.delayMs !== undefined && fault.delayMs > 0 && !(await this.wait(fault.delayMs, res))) {
      if (!res.headersSent) res.destroy();
      return true;
    }
    if (fault.throttle || fault.error !== undefined) {
      const name = fault.error ?? 'TooManyRequestsException';
      const message =
        fault.message ?? (fault.throttle ? 'Rate exceeded' : `${name} (injected by local-cognito)`);
      const status = fault.status ?? (name === 'InternalErrorException' ? 500 : 400);
      const body: Record<string, string> = { __type: name, message };
      // The app's OAuth clients read `error`, so the hosted UI's JSON answers carry it too.
      if (protocol === 'oauth') Object.assign(body, { error: name, error_description: message });
      sendJson(res, status, body, protocol === 'oauth' ? 'application/json' : JSON_11, {
        'x-amzn-ErrorType': name,
      });
      return true;
    }
    if (fault.response !== undefined) {
      sendJson(res, fault.status ?? 200, fault.response, protocol === 'oauth' ? 'application/json' : JSON_11);
      return true;
    }
    if (fault.status !== undefined) {
      send(res, fault.status, STATUS_CODES[fault.status] ?? 'Error', 'text/plain; charset=utf-8');
      return true;
    }
    return false;
  }

  /** Resolves true after `ms`, or false as soon as the client disconnects or close() is called. */
  private wait(ms: number, res: ServerResponse): Promise<boolean> {
    if (this.closed || res.closed || res.destroyed) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        res.off('close', dropped);
        this.pending.delete(cancel);
        resolve(ok);
      };
      const dropped = () => finish(false);
      const cancel = () => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      res.on('close', dropped);
      this.pending.add(cancel);
    });
  }

  /** Cancels every pending delay; later delays drop their call at once. */
  close(): void {
    this.closed = true;
    for (const cancel of [...this.pending]) cancel();
  }
}
