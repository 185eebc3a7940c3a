// A scripted stand-in for Cognito and the token verifier: tests say what Cognito answers, the fake records every call.
import type { CognitoGateway, SignInResult, TokenSet } from '../../src/cognito/gateway.ts';
import { toAuthError } from '../../src/cognito/errors.ts';
import type { TokenVerifier, VerifiedIdentity } from '../../src/cognito/verifier.ts';

/** The operations of the gateway, by method name. */
export type Operation = {
  [K in keyof CognitoGateway]: CognitoGateway[K] extends (...args: never[]) => unknown ? K : never;
}[keyof CognitoGateway];
type Args<K extends Operation> = Parameters<CognitoGateway[K]>;
type Result<K extends Operation> = Awaited<ReturnType<CognitoGateway[K]>>;

/**
 * One scripted answer: the value Cognito's call returns, an Error (thrown; Cognito's exceptions by name go through
 * the project's own error table, as the real gateway does), or a function of the call's arguments returning either.
 */
export type Answer<K extends Operation> =
  Result<K> | Error | ((...args: Args<K>) => Result<K> | Promise<Result<K>>);

export interface Call {
  operation: Operation;
  args: unknown[];
}

/** Cognito's exception `name` with its `message`, as the SDK throws it; the gateway maps it with toAuthError. */
export function cognitoError(name: string, message = ''): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

/** A sign-in step that ends with `tokens`. */
export const signedInWith = (tokens: TokenSet): SignInResult => ({ kind: 'tokens', tokens });

/** A sign-in step that asks for `challengeName`. */
export function challenge(
  challengeName: string,
  parameters: Record<string, string> = {},
  session = `${challengeName}-session-`.padEnd(60, 'x'),
): SignInResult {
  return { kind: 'challenge', challengeName, session, parameters };
}

/**
 * The fake gateway. `on` sets what an operation answers from now on, `once` queues answers used first, one per
 * call. A call nothing was scripted for fails (an Error, so the app answers 500) and is listed in `unscripted`.
 */
export class FakeCognito {
  readonly calls: Call[] = [];
  readonly unscripted: Operation[] = [];
  private readonly standing = new Map<Operation, Answer<Operation>>();
  private readonly queued = new Map<Operation, Answer<Operation>[]>();
  /** The gateway to hand to the app: every CognitoGateway method, recorded and answered from the script. */
  readonly gateway: CognitoGateway;

  constructor() {
    this.gateway = new Proxy({} as CognitoGateway, {
      get: (_target, name) =>
        typeof name === 'string' && name !== 'then'
          ? (...args: unknown[]) => this.answer(name as Operation, args)
          : undefined,
    });
  }

  /** From now on, `operation` answers `answer` (after any queued ones). */
  on<K extends Operation>(operation: K, answer: Answer<K>): this {
    this.standing.set(operation, answer as Answer<Operation>);
    return this;
  }

  /** The next calls of `operation` answer these, one each, before the standing answer. */
  once<K extends Operation>(operation: K, ...answers: Answer<K>[]): this {
    const queue = this.queued.get(operation) ?? [];
    queue.push(...(answers as Answer<Operation>[]));
    this.queued.set(operation, queue);
    return this;
  }

  /** How many calls `operation` (or any operation) got since the start or the last resetCalls(). */
  callCount(operation?: Operation): number {
    return operation ? this.calls.filter((c) => c.operation === operation).length : this.calls.length;
  }

  /** The arguments of each call of `operation`, oldest first. */
  argsOf<K extends Operation>(operation: K): Args<K>[] {
    return this.calls.filter((c) => c.operation === operation).map((c) => c.args as Args<K>);
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  /** Forgets the script and the calls. */
  reset(): void {
    this.resetCalls();
    this.unscripted.length = 0;
    this.standing.clear();
    this.queued.clear();
  }

  private async answer(operation: Operation, args: unknown[]): Promise<unknown> {
    this.calls.push({ operation, args });
    const queue = this.queued.get(operation);
    let answer: Answer<Operation> | undefined;
    if (queue && queue.length > 0) answer = queue.shift();
    else if (this.standing.has(operation)) answer = this.standing.get(operation);
    else {
      this.unscripted.push(operation);
      throw new Error(`FakeCognito: nothing scripted for ${operation}`);
    }
    try {
      const value =
        typeof answer === 'function'
          ? await (answer as (...a: unknown[]) => unknown)(...args)
          : answer instanceof Error
            ? Promise.reject(answer)
            : answer;
      return await value;
    } catch (err) {
      // As the real gateway: every failure reaches the flows as an AuthError.
      throw toAuthError(err);
    }
  }
}

/** Who a fake token belongs to. */
export interface FakeUser {
  /** Cognito's internal username (a UUID in pools that sign in by email). */
  username: string;
  sub: string;
  email: string | undefined;
  name: string | undefined;
  groups: string[];
}

export const JANE: FakeUser = {
  username: '8f14e45f-ceea-467f-a0e6-1f0e7a3c2b11',
  sub: '8f14e45f-ceea-467f-a0e6-1f0e7a3c2b11',
  email: 'jane@example.com',
  name: 'Jane Doe',
  groups: ['staff'],
};

/**
 * Issues opaque tokens and verifies them, in place of Cognito's JWTs and aws-jwt-verify: `verify` knows exactly the
 * tokens `issue` made (and not revoked ones), and tells who they belong to.
 */
export class FakeTokens {
  private readonly identities = new Map<string, VerifiedIdentity>();
  private readonly idTokens = new Map<string, string>();
  private readonly refused = new Set<string>();
  private n = 0;
  readonly verifier: TokenVerifier;

  constructor(private readonly now: () => number) {
    const idTokens = this.idTokens;
    const verify = (idToken: string, accessToken: string): Promise<VerifiedIdentity> => {
      const identity = this.identities.get(accessToken);
      if (!identity || this.refused.has(accessToken) || this.idTokens.get(accessToken) !== idToken) {
        return Promise.reject(new Error('fake verifier: not a token this fake issued'));
      }
      return Promise.resolve({ ...identity, groups: [...identity.groups] });
    };
    this.verifier = {
      verify,
      async verifyAccessToken(accessToken: string) {
        const identity = await verify(idTokens.get(accessToken) ?? '', accessToken);
        return {
          sub: identity.sub,
          username: identity.username,
          groups: identity.groups,
          expiresAt: identity.accessExpiresAt,
        };
      },
      hydrate: () => Promise.resolve(),
      ready: () => true,
    } satisfies TokenVerifier & Record<string, unknown>;
  }

  /** A token set for `user` whose access token lives `expiresIn` seconds from the app's clock. */
  issue(
    user: FakeUser = JANE,
    { expiresIn = 3600, refresh = true }: { expiresIn?: number; refresh?: boolean } = {},
  ): TokenSet {
    const n = ++this.n;
    const accessToken = `fake-access-${n}`;
    const idToken = `fake-id-${n}`;
    const now = this.now();
    this.idTokens.set(accessToken, idToken);
    this.identities.set(accessToken, {
      ...user,
      authTime: Math.floor(now / 1000),
      accessExpiresAt: now + expiresIn * 1000,
      nonce: undefined,
    });
    return { idToken, accessToken, refreshToken: refresh ? `fake-refresh-${n}` : undefined, expiresIn };
  }

  /** From now on the verifier refuses `tokens` (a bad signature, another pool). */
  refuse(tokens: TokenSet): void {
    this.refused.add(tokens.accessToken);
  }
}
