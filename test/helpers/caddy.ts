// Debian's Caddy for the forward-auth tests: examples/caddy/Caddyfile (the file users copy), imported as it is by a
// Caddyfile of the test's own that turns the admin endpoint off and binds loopback; addresses come through the
// example's environment placeholders. A non-daemon child whose data and config dirs are a temp dir.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable, startService, toolMissing } from './service-process.ts';

export const CADDY_EXAMPLE = fileURLToPath(new URL('../../examples/caddy/Caddyfile', import.meta.url));

export function caddyPath(): string | undefined {
  return findExecutable([process.env.CADDY_PATH, '/usr/bin/caddy', 'caddy']);
}

/** Why the Caddy tests cannot run here, or undefined. Throws in CI. */
export function caddyMissing(): string | undefined {
  return toolMissing(
    caddyPath(),
    'caddy not found (looked at $CADDY_PATH, /usr/bin/caddy, PATH): the Caddy forward-auth tests cannot run. Install it with `apt-get install caddy`',
  );
}

export interface Caddy {
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs `caddy run` with the example on http://127.0.0.1:`port` (plain http: no certificate), the login server
 * and the app at the given loopback ports. Ready once Caddy logs that it serves its configuration; a port taken by
 * someone else rejects with PortTakenError.
 */
export async function startCaddy(ports: {
  port: number;
  loginPort: number;
  appPort: number;
}): Promise<Caddy> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caddy-test-'));
  const config = path.join(dir, 'Caddyfile');
  writeFileSync(
    config,
    `{
	admin off
	default_bind 127.0.0.1
	storage file_system "${path.join(dir, 'data')}"
}

import "${CADDY_EXAMPLE}"
`,
  );
  try {
    const service = await startService({
      name: 'caddy',
      command: caddyPath()!,
      args: ['run', '--config', config, '--adapter', 'caddyfile'],
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        XDG_DATA_HOME: path.join(dir, 'data'),
        XDG_CONFIG_HOME: path.join(dir, 'config'),
        APP_SITE: `http://127.0.0.1:${ports.port}`,
        LOGIN_UPSTREAM: `127.0.0.1:${ports.loginPort}`,
        APP_UPSTREAM: `127.0.0.1:${ports.appPort}`,
      },
      ready: (output) => output.includes('serving initial configuration'),
      portTaken: (output) => /address already in use/.test(output),
    });
    return {
      url: `http://127.0.0.1:${ports.port}`,
      output: service.output,
      async stop() {
        await service.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
