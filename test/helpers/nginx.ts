// Debian's nginx for the forward-auth tests: examples/nginx/protected-app.conf (the file users copy) on free ports,
// inside a minimal `http {}` of the test's own, as a non-daemon child with its files in a temp dir.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable, startService, toolMissing } from './service-process.ts';

export const NGINX_EXAMPLE = fileURLToPath(
  new URL('../../examples/nginx/protected-app.conf', import.meta.url),
);

export function nginxPath(): string | undefined {
  return findExecutable([process.env.NGINX_PATH, '/usr/sbin/nginx', 'nginx']);
}

/** Why the nginx tests cannot run here, or undefined. Throws in CI. */
export function nginxMissing(): string | undefined {
  return toolMissing(
    nginxPath(),
    'nginx not found (looked at $NGINX_PATH, /usr/sbin/nginx, PATH): the nginx forward-auth tests cannot run. Install it with `apt-get install nginx`',
  );
}

/** Replaces `from` by `to` in `text`, which must hold it exactly once (so a changed example fails loudly). */
export function replaceOnce(text: string, from: string, to: string, file: string): string {
  const count = text.split(from).length - 1;
  if (count !== 1) throw new Error(`${file}: expected "${from}" once, found it ${count} times`);
  return text.replace(from, () => to);
}

/**
 * The shipped example with its documented addresses replaced: nginx on 127.0.0.1:`port` instead of port 80, the
 * login server and the app on the given loopback ports instead of 3000 and 8000. Nothing else changes.
 */
export function exampleSite(ports: { port: number; loginPort: number; appPort: number }): string {
  let site = readFileSync(NGINX_EXAMPLE, 'utf8');
  site = replaceOnce(site, '    listen 80;\n', `    listen 127.0.0.1:${ports.port};\n`, NGINX_EXAMPLE);
  site = replaceOnce(site, 'server 127.0.0.1:3000;', `server 127.0.0.1:${ports.loginPort};`, NGINX_EXAMPLE);
  site = replaceOnce(site, 'server 127.0.0.1:8000;', `server 127.0.0.1:${ports.appPort};`, NGINX_EXAMPLE);
  return site;
}

export interface Nginx {
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs nginx with `site` (http-level directives: upstreams, server blocks) listening on `port`: one process
 * (`master_process off`, no worker changing user), error log on stderr, temp files and pid in a fresh temp dir that
 * `stop` removes. Ready once the pid file exists (nginx writes it after binding its sockets); a port taken by
 * someone else rejects with PortTakenError.
 */
export async function startNginx(site: string, port: number): Promise<Nginx> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nginx-test-'));
  const pidFile = path.join(dir, 'nginx.pid');
  writeFileSync(path.join(dir, 'site.conf'), site);
  const temp = (name: string) => path.join(dir, name);
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `events {
    worker_connections 256;
}
http {
    access_log off;
    client_body_temp_path ${temp('client_body')};
    proxy_temp_path ${temp('proxy')};
    fastcgi_temp_path ${temp('fastcgi')};
    uwsgi_temp_path ${temp('uwsgi')};
    scgi_temp_path ${temp('scgi')};
    include ${path.join(dir, 'site.conf')};
}
`,
  );
  try {
    const service = await startService({
      name: 'nginx',
      command: nginxPath()!,
      args: [
        '-p',
        dir,
        '-c',
        path.join(dir, 'nginx.conf'),
        '-e',
        'stderr',
        '-g',
        `daemon off; master_process off; pid ${pidFile};`,
      ],
      ready: () => existsSync(pidFile),
      portTaken: (output) => /Address already in use/.test(output),
    });
    return {
      url: `http://127.0.0.1:${port}`,
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
