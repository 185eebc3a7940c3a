// What forward auth believes about the original request: only what a trusted proxy said, and only if well-formed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardedRequest } from '../../src/protect/forwarded-request.ts';

/** Request headers as Node gives them (names in lower case). */
const ctxWith = (headers: Record<string, string>) => headers;

test('without TRUST_PROXY nothing a header says is believed: no original request (forward auth refuses)', () => {
  const ctx = ctxWith({
    'x-forwarded-uri': '/public/x',
    'x-forwarded-method': 'POST',
    'x-original-url': 'https://a.test/p',
  });
  assert.equal(forwardedRequest(ctx, false), undefined);
  assert.equal(forwardedRequest(ctxWith({}), true), undefined, 'a trusted proxy that said nothing');
});

test("Caddy's and Traefik's X-Forwarded-* give the method, the path with its query and the origin", () => {
  const ctx = ctxWith({
    'x-forwarded-method': 'post',
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'app1.example.com',
    'x-forwarded-uri': '/reports/q3?a=1,2&b=3',
  });
  assert.deepEqual(forwardedRequest(ctx, true), {
    method: 'POST',
    url: '/reports/q3?a=1,2&b=3',
    origin: 'https://app1.example.com',
  });
});

test("nginx's X-Original-URL gives path and origin", () => {
  const ctx = ctxWith({ 'x-original-url': 'http://127.0.0.1:8080/dash?x=1', 'x-original-method': 'GET' });
  assert.deepEqual(forwardedRequest(ctx, true), {
    method: 'GET',
    url: '/dash?x=1',
    origin: 'http://127.0.0.1:8080',
  });
});

test('malformed or ambiguous values give no original request: refused, never judged as another path', () => {
  const cases: Record<string, string>[] = [
    { 'x-forwarded-uri': 'https://evil.test/' },
    { 'x-forwarded-uri': '/' + 'a'.repeat(9000) },
    { 'x-forwarded-uri': 'relative' },
    { 'x-forwarded-uri': '//evil.test/x' },
    { 'x-original-url': '//evil.test/x' },
    { 'x-original-url': 'javascript:alert(1)' },
    // nginx passes such Host values on: the path would move into the query or fragment.
    { 'x-original-url': 'http://a?/admin/users' },
    { 'x-original-url': 'http://a#b/admin/users' },
    { 'x-original-url': 'http://a\\b/admin/users' },
    { 'x-original-url': 'http:///admin/users' },
    { 'x-original-url': 'http://x/admin#frag' },
    { 'x-forwarded-uri': '/x', 'x-forwarded-method': 'GET /x' },
  ];
  for (const headers of cases) {
    assert.equal(forwardedRequest(ctxWith(headers), true), undefined, JSON.stringify(headers).slice(0, 80));
  }
  const badHost = forwardedRequest(
    ctxWith({ 'x-forwarded-uri': '/x', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'a.test/evil' }),
    true,
  );
  assert.equal(badHost?.url, '/x');
  assert.equal(badHost?.origin, undefined);
});

test('X-Forwarded-Uri wins over a client-sent X-Original-URL', () => {
  const ctx = ctxWith({ 'x-forwarded-uri': '/admin/users', 'x-original-url': 'http://x/public' });
  assert.equal(forwardedRequest(ctx, true)?.url, '/admin/users');
});
