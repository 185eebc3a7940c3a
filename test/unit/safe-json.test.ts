// The JSON the passkey pages carry inside <script type="application/json">: no value can end the element.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeJson } from '../../src/views.ts';

test('values that would end the script element or open markup are escaped; the data reads back the same', () => {
  const options = { rpId: 'example.com', user: { name: '</script><script>alert(1)</script> & <!--' } };
  const out = safeJson(JSON.stringify(options));
  assert.doesNotMatch(out, /[<>&]/);
  assert.deepEqual(JSON.parse(out), options);
});

test('text that is not JSON becomes an empty object, never markup', () => {
  for (const text of ['</script><b>', '', undefined, 'null']) {
    const out = safeJson(text);
    assert.doesNotMatch(out, /[<>&]/);
    assert.ok(out === '{}' || out === 'null', String(text));
  }
});
