// A tool the tests run as a child process (nginx, Caddy, uvicorn): found on the machine or reported missing (fatal
// in CI), started on a free loopback port (another one when a concurrent suite took it first), and stopped by pid.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** A port that was free a moment ago on 127.0.0.1 (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The first of `candidates` (absolute paths, or names looked up on PATH) that is an executable file. */
export function findExecutable(candidates: (string | undefined)[]): string | undefined {
  for (const candidate of candidates) {
    if (!candidate) continue;
    const paths = candidate.includes('/')
      ? [candidate]
      : (process.env.PATH ?? '')
          .split(delimiter)
          .filter(Boolean)
          .map((dir) => join(dir, candidate));
    for (const path of paths) {
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** True when `command args...` runs and exits 0 (e.g. a Python that imports a module). */
export function runsOk(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 60_000 });
  return result.status === 0;
}

/**
 * Why a tool's tests cannot run here, or undefined when `found`. CI provides every tool, so there a missing one
 * throws (the suite fails) instead of skipping; elsewhere the skip is announced loudly on stderr.
 */
export function toolMissing(found: unknown, message: string): string | undefined {
  if (found) return undefined;
  if (process.env.CI) throw new Error(`!!! ${message} (CI is set: nothing may be skipped there) !!!`);
  process.stderr.write(`\n!!! WARNING: ${message}; skipping these tests !!!\n\n`);
  return message;
}

/** The port was taken between `freePort()` and the child's bind (a concurrent suite): try another one. */
export class PortTakenError extends Error {}

export interface ServiceProcess {
  readonly pid: number;
  /** Everything it wrote on stdout and stderr so far. */
  output: () => string;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s; resolves once it has exited. */
  stop: () => Promise<void>;
}

export interface ServiceOptions {
  /** For messages: `nginx`, `caddy`, `uvicorn`. */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Ready to serve: asked on every chunk of output and every 20 ms (a pid file may be what tells). */
  ready: (output: string) => boolean;
  /** The output of a child that exited because its port was in use. */
  portTaken: (output: string) => boolean;
  /** How long a start may take on a busy machine before it is a failure. */
  timeoutMs?: number;
}

/**
 * Spawns the service and resolves once `ready` says so. Rejects when it exits first (with `PortTakenError` when
 * `portTaken` recognises the output) or is not ready within `timeoutMs`; the child is then gone.
 */
export async function startService(options: ServiceOptions): Promise<ServiceProcess> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (err) => {
      output += `\n[spawn failed: ${err.message}]\n`;
      exited = true;
      resolve();
    });
  });
  // A test run that dies never leaves the child behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    }
    process.off('exit', killOnExit);
  };

  const started = new Promise<void>((resolve, reject) => {
    let done = false;
    const check = () => {
      if (done) return;
      if (options.ready(output)) return finish();
      if (exited) {
        const text = `${options.name} exited before it was ready:\n${output}`;
        return finish(options.portTaken(output) ? new PortTakenError(text) : new Error(text));
      }
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      check();
    };
    const poll = setInterval(check, 20);
    const deadline = setTimeout(
      () =>
        finish(new Error(`${options.name} not ready within ${options.timeoutMs ?? 30_000} ms:\n${output}`)),
      options.timeoutMs ?? 30_000,
    );
    function finish(err?: Error) {
      done = true;
      clearInterval(poll);
      clearTimeout(deadline);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      if (err) reject(err);
      else resolve();
    }
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exit.then(check);
  });
  try {
    await started;
  } catch (err) {
    await stop();
    throw err;
  }
  return { pid: child.pid!, output: () => output, stop };
}

/**
 * Starts something on a fresh free port, again on another one (up to 5 times) when a concurrent suite took the
 * port first.
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt >= 5) throw err;
    }
  }
}
