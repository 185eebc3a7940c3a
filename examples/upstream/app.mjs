// An example app to put behind the sign-in: it trusts the identity headers the login server sets, nothing else.
// `node examples/upstream/app.mjs` (PORT, default 8080); docker-compose.yml runs it as the `whoami` service.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);

const escape = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

createServer((req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  // Set by the login server on every request it lets through; any copy a client sent was removed before.
  const user = req.headers['x-auth-request-user'];
  const email = decodeURIComponent(req.headers['x-auth-request-email'] ?? '');
  const groups = (req.headers['x-auth-request-groups'] ?? '')
    .split(',')
    .filter(Boolean)
    .map(decodeURIComponent);
  if (req.headers.accept?.includes('text/html')) {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    return res.end(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Example app</title>
<h1>Hello ${escape(email || user || 'visitor')}</h1>
<p>Groups: ${escape(groups.join(', ') || 'none')}</p>
<p>Path: ${escape(req.url)}</p>
<p><a href="/auth/account">Your account</a> · <a href="/auth/logout">Sign out</a></p></html>`);
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ user, email, groups, path: req.url }));
}).listen(port, () => console.log(`example app on :${port}`));
