// Runs a bench server in its own Node.js process (its own event loop and core) and talks to it over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Rate limits high enough for the bench's sign-ins, all from 127.0.0.1 and mostly for one account. */
export const BENCH_RATE_LIMITS = { RATE_LIMIT_PER_IP: '1000000', RATE_LIMIT_PER_ACCOUNT: '1000000' };

/** What a server process sends once it is listening. */
export interface ReadyMessage {
  type: 'ready';
  [key: string]: unknown;
}

export interface BenchChild<R extends ReadyMessage> {
  ready: R;
  /** The process id (for reading its CPU time from /proc while working on a row). */
  pid: number | undefined;
  /** Sends `{ type, id, payload }` and resolves with the child's answer of the same id. */
  ask<T>(type: string, payload?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Forks `bench/servers/<name>.ts` under tsx and waits for its ready message (at most 60 s). */
export async function startChild<R extends ReadyMessage>(
  name: string,
  options: { nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<BenchChild<R>> {
  const script = fileURLToPath(new URL(`../servers/${name}.ts`, import.meta.url));
  const child = fork(script, [], {
    execArgv: ['--import', 'tsx', ...(options.nodeArgs ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // Kept for the error message if the process dies; the pipes are drained so it never blocks on them.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const ready = await new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready after 60 s\n${output}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready\n${output}`));
    });
    child.once('message', (msg: R) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
  child.removeAllListeners('exit');

  let nextId = 0;
  return {
    ready,
    pid: child.pid,
    ask<T>(type: string, payload?: unknown): Promise<T> {
      const id = ++nextId;
      return new Promise<T>((resolve, reject) => {
        const onMessage = (msg: { id?: number; error?: string }) => {
          if (msg.id !== id) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          if (msg.error !== undefined) reject(new Error(`${name}: ${type}: ${msg.error}`));
          else resolve(msg as T);
        };
        const onExit = (code: number | null) => reject(new Error(`${name} exited (${code})\n${output}`));
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send({ type, id, payload });
      });
    },
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** In a server process: sends the ready message and answers the parent's questions with `handlers`. */
export function serveParent(
  ready: ReadyMessage,
  handlers: Record<
    string,
    (payload: unknown) => Promise<Record<string, unknown>> | Record<string, unknown>
  > = {},
): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('a bench server runs under bench/run.ts (no IPC channel)');
  process.on('message', (msg: { type: string; id: number; payload?: unknown }) => {
    const handler = handlers[msg.type];
    void Promise.resolve(handler ? handler(msg.payload) : { error: `unknown request ${msg.type}` }).then(
      (answer) => send({ ...answer, id: msg.id }),
      (err: unknown) => send({ error: String(err), id: msg.id }),
    );
  });
  process.on('SIGTERM', () => process.exit(0));
  // The parent went away: do not linger.
  process.on('disconnect', () => process.exit(0));
  send(ready);
}
