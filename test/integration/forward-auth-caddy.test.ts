// Caddy (forward_auth) in front of an app, configured by examples/caddy/Caddyfile, the file users copy: the real
// Caddy on free loopback ports, our server at /auth behind it. Without Caddy: fails in CI, skips elsewhere.
import { caddyMissing, startCaddy } from '../helpers/caddy.ts';
import { forwardAuthSuite } from '../helpers/forward-auth-suite.ts';

forwardAuthSuite('Caddy', caddyMissing(), startCaddy);
