// Exactly which forward-auth headers are believed: schemes, host shapes (IPv6 literals too), lengths at the limit,
// the first of a listed value, and X-Original-URL read only as written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardedRequest } from '../../src/protect/forwarded-request.ts';

/** Request headers as Node gives them (names in lower case). */
const ctxWith = (headers: Record<string, string>) => headers;
const originOf = (proto: string | undefined, host: string | undefined) =>
  forwardedRequest(
    ctxWith({
      'x-forwarded-uri': '/x',
      ...(proto === undefined ? {} : { 'x-forwarded-proto': proto }),
      ...(host === undefined ? {} : { 'x-forwarded-host': host }),
    }),
    true,
  )?.origin;

test('the origin needs both a proto of http or https and a host; anything else names none', () => {
  assert.equal(originOf('https', 'app.test'), 'https://app.test');
  assert.equal(originOf('http', 'app.test'), 'http://app.test');
  assert.equal(originOf('HTTPS', 'app.test'), 'https://app.test');
  for (const proto of ['ftp', 'https2', 'xhttps', 'https-evil', '']) {
    assert.equal(originOf(proto, 'app.test'), undefined, proto);
  }
  assert.equal(originOf('https', undefined), undefined, 'no host');
  assert.equal(originOf(undefined, 'app.test'), undefined, 'no proto');
});

test('IPv6 literal hosts are taken, with or without a port; anything around the brackets is not', () => {
  assert.equal(originOf('https', '[::1]'), 'https://[::1]');
  assert.equal(originOf('https', '[2001:db8::1]:8443'), 'https://[2001:db8::1]:8443');
  assert.equal(originOf('https', 'app.test:8443'), 'https://app.test:8443');
  for (const host of ['evil[::1]', '[::1]evil', '[::1]:', '[::1]:123456', '[]', '[::1]:8x', 'a b']) {
    assert.equal(originOf('https', host), undefined, host);
  }
});

test('of a listed value only the first counts, spaces trimmed', () => {
  assert.equal(originOf('https, http', ' app.test , evil.test'), 'https://app.test');
  const ctx = ctxWith({ 'x-forwarded-uri': '/x', 'x-forwarded-method': ' delete , get' });
  assert.equal(forwardedRequest(ctx, true)?.method, 'DELETE');
});

test("nginx's X-Original-Method counts when X-Forwarded-Method is absent", () => {
  const uri = forwardedRequest(ctxWith({ 'x-forwarded-uri': '/x', 'x-original-method': 'PUT' }), true);
  assert.equal(uri?.method, 'PUT');
  const original = forwardedRequest(
    ctxWith({ 'x-original-url': 'https://app.test/x', 'x-original-method': 'PATCH' }),
    true,
  );
  assert.equal(original?.method, 'PATCH');
  const both = forwardedRequest(
    ctxWith({ 'x-forwarded-uri': '/x', 'x-forwarded-method': 'POST', 'x-original-method': 'PUT' }),
    true,
  );
  assert.equal(both?.method, 'POST');
});

test('a URI of 8192 characters is read, one longer is not, in either header', () => {
  const path = (length: number) => `/${'a'.repeat(length - 1)}`;
  assert.equal(forwardedRequest(ctxWith({ 'x-forwarded-uri': path(8192) }), true)?.url, path(8192));
  assert.equal(forwardedRequest(ctxWith({ 'x-forwarded-uri': path(8193) }), true), undefined);
  const url = (length: number) => `https://app.test${path(length - 'https://app.test'.length)}`;
  assert.equal(url(8192).length, 8192);
  assert.equal(forwardedRequest(ctxWith({ 'x-original-url': url(8192) }), true)?.url.length, 8192 - 16);
  assert.equal(forwardedRequest(ctxWith({ 'x-original-url': url(8193) }), true), undefined);
});

test('X-Original-URL must be an absolute http(s) URL from its first character, its path not starting with //', () => {
  for (const original of [' https://app.test/x', 'xhttps://app.test/x', 'https://app.test//evil/x']) {
    assert.equal(forwardedRequest(ctxWith({ 'x-original-url': original }), true), undefined, original);
  }
  assert.deepEqual(forwardedRequest(ctxWith({ 'x-original-url': 'HTTPS://app.test/x//' }), true), {
    method: 'GET',
    url: '/x//',
    origin: 'https://app.test',
  });
});
