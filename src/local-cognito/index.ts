// The local Cognito emulator: startLocalCognito() runs a Cognito-compatible HTTP server on loopback.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector, type Fault, type FaultSpec } from './faults.ts';
import { createRequestListener } from './http-server.ts';
import type { OpContext } from './operations/context.ts';
import {
  addLocalClientUrls,
  ensureLocalPool,
  type LocalPoolIds,
  type LocalPoolInfo,
  type LocalPoolOptions,
} from './seed.ts';
import { ChallengeSessions } from './sessions.ts';
import { StateStore, type EmulatorLogger, type SentMessage } from './state.ts';
import { SigningKeys } from './tokens.ts';

export type { LocalPoolIds, LocalPoolInfo, LocalPoolOptions } from './seed.ts';
export type { SentMessage } from './state.ts';
export type { Fault, FaultSpec } from './faults.ts';
export { FaultInputError } from './faults.ts';

export interface LocalCognitoOptions {
  /** Interface to listen on; default '127.0.0.1' (docker uses '0.0.0.0'). */
  host?: string;
  /** Port; default 9229; 0 = any free port. */
  port?: number;
  /** Where state is kept (created if missing); undefined = memory only. */
  dataDir?: string;
  /** ms since epoch; default Date.now. Everything time-based uses it (iat/exp, lockout, codes, sessions). */
  clock?: () => number;
  logger?: EmulatorLogger;
  /** Called with every message the emulator "sends" (codes), e.g. to print it. */
  onMessage?: (message: SentMessage) => void;
  /** Fixed ids for the seeded pool and client (see LocalPoolIds); random when unset. */
  localPoolIds?: LocalPoolIds;
}

export interface LocalCognito {
  /** e.g. 'http://127.0.0.1:9229' */
  endpoint: string;
  /** 'us-east-1' for seeded pools. */
  region: string;
  /**
   * Idempotent: the seeded pool+client+demo user of local mode, created on first call, then loaded from dataDir.
   * `options` adds hosted-UI callback / sign-out URLs to the seeded client (kept, never removed).
   */
  ensureLocalPool(options?: LocalPoolOptions): Promise<LocalPoolInfo>;
  /**
   * How many times each operation (e.g. 'InitiateAuth') was called since start or last resetCalls(); the hosted
   * UI's endpoints count as 'oauth2/authorize', 'login', 'oauth2/token', 'oauth2/userInfo', 'oauth2/revoke', 'logout'.
   */
  callCount(operation?: string): number;
  resetCalls(): void;
  /**
   * Injects a fault into calls of `fault.operation` (an operation name, a hosted-UI endpoint name as callCount
   * names it, or '*'), replacing its previous fault; throws FaultInputError when malformed. See FaultSpec.
   * Faulted calls are still counted.
   */
  setFault(fault: FaultSpec): void;
  /** Clears the fault of `operation`, or all faults. */
  clearFaults(operation?: string): void;
  /** The active faults (`times` = calls left). */
  faults(): Fault[];
  /** What was "sent", oldest first. */
  messages(): SentMessage[];
  /** Stops the server, flushes state to disk. */
  close(): Promise<void>;
}

const REGION = 'us-east-1';

/** Starts the emulator and resolves once it is listening. */
export async function startLocalCognito(options: LocalCognitoOptions = {}): Promise<LocalCognito> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? Date.now;
  const store = await StateStore.open(options.dataDir, clock, options.logger);
  const keys = await SigningKeys.load(options.dataDir);
  const ctx: OpContext = {
    store,
    keys,
    clock,
    sessions: new ChallengeSessions(),
    region: REGION,
    logger: options.logger,
    onMessage: options.onMessage,
  };
  const calls = new Map<string, number>();
  const faults = new FaultInjector();
  let endpoint = '';
  const server = createServer(createRequestListener({ ctx, calls, faults, endpoint: () => endpoint }));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9229, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const reachableHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  endpoint = `http://${reachableHost}:${port}`;
  options.logger?.info('local-cognito: listening', { endpoint });

  const { localPoolIds } = options;
  let seeding: Promise<LocalPoolInfo> | undefined;
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    region: REGION,
    async ensureLocalPool(options) {
      seeding ??= ensureLocalPool(ctx, localPoolIds).catch((err: unknown) => {
        seeding = undefined;
        throw err;
      });
      const info = await seeding;
      if (options) await addLocalClientUrls(ctx, info, options);
      return info;
    },
    callCount(operation) {
      if (operation !== undefined) return calls.get(operation) ?? 0;
      let total = 0;
      for (const n of calls.values()) total += n;
      return total;
    },
    resetCalls() {
      calls.clear();
    },
    setFault(fault) {
      faults.set(fault);
    },
    clearFaults(operation) {
      faults.clear(operation);
    },
    faults() {
      return faults.list();
    },
    messages() {
      return store.state.messages.map((m) => ({ ...m }));
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        faults.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => store.flush());
      return closing;
    },
  };
}
