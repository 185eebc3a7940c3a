import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseForm } from '../../src/middleware/form-body.ts';
import { HttpError } from '../../src/http-error.ts';

test('a form parses into a null-prototype object, values byte-exact', () => {
  const form = parseForm('username=a%40b.c&password=%20p%C3%A4ss+word%20');
  assert.equal(Object.getPrototypeOf(form), null);
  assert.equal(form.username, 'a@b.c');
  assert.equal(form.password, ' päss word ');
});

for (const body of ['a=1&a=2', '__proto__=x', 'constructor=x', 'prototype=1', 'a[b]=1', 'a[]=1']) {
  test(`form ${body} is refused with 400`, () => {
    assert.throws(
      () => parseForm(body),
      (err) => err instanceof HttpError && err.status === 400,
    );
  });
}

test('a form with too many fields is refused', () => {
  const body = Array.from({ length: 60 }, (_, i) => `f${i}=1`).join('&');
  assert.throws(
    () => parseForm(body),
    (err) => err instanceof HttpError && err.status === 400,
  );
});
