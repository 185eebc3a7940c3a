// The logger redacts `code` (verification, MFA and authorization codes); error codes are logged under `error`, so a
// failed sign-out revocation says why instead of `"code":"[redacted]"`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { AuthError } from '../../src/cognito/errors.ts';
import { createLogger, humanLogDestination } from '../../src/logger.ts';
import { csrfOf } from '../helpers/browser.ts';
import { cognitoError, startFakeHarness } from '../helpers/fake-harness.ts';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, logger: createLogger('info', sink) };
}

test('error codes are logged and found under `error`; verification codes stay redacted', () => {
  const { lines, logger } = capture();
  const err = new AuthError('TOKEN_REVOKED', 'NotAuthorizedException');
  logger.warn({ error: err.code, cognito: err.cognitoName, code: '123456', form: { code: '654321' } }, 'x');
  assert.equal(lines.length, 1);
  const logged = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(logged.error, 'TOKEN_REVOKED');
  assert.equal(logged.cognito, 'NotAuthorizedException');
  assert.equal(logged.code, '[redacted]');
  assert.doesNotMatch(lines[0]!, /123456|654321/);
});

test('a failed sign-out revocation is logged with its error code, not "code":"[redacted]"', async () => {
  const h = await startFakeHarness();
  try {
    const b = await h.signedIn();
    h.cognito.once(
      'revokeRefreshToken',
      cognitoError('NotAuthorizedException', 'Refresh Token has been revoked'),
    );
    const page = await b.get('/logout');
    const res = await b.post('/logout', { _csrf: csrfOf(page.body) });
    assert.equal(res.status, 302);
    const line = h.logs.find((l) => l.includes('refresh token revocation failed'));
    assert.ok(line, h.logs.join(''));
    const logged = JSON.parse(line) as Record<string, unknown>;
    assert.equal(logged.error, 'TOKEN_REVOKED');
    assert.doesNotMatch(line, /\[redacted\]/);
  } finally {
    await h.close();
  }
});

/** Every file of src/ but the emulator's (whose log objects are its own). */
const SRC = path.resolve(import.meta.dirname, '../../src');

test('no log line of the server puts an error code under `code` (where it would be redacted)', () => {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.startsWith('local-cognito'),
  );
  const offenders: string[] = [];
  for (const file of files) {
    const text = readFileSync(path.join(SRC, file), 'utf8');
    // The object a pino call logs: `logger.warn({ ... }, 'message')` (log objects here are flat).
    for (const match of text.matchAll(
      /\blogger\??\.(?:trace|debug|info|warn|error|fatal)\(\s*\{([^}]*)\}/g,
    )) {
      // A key `code` (`code: ...` or the shorthand `code`), not a value named code (`error: code`).
      if (/(?:^|,)\s*code\s*(?:[:,]|$)/.test(match[1]!))
        offenders.push(`${file}: ${match[0].replace(/\s+/g, ' ')}`);
    }
  }
  assert.ok(files.length > 50, 'the scan saw the sources');
  assert.deepEqual(offenders, []);
});

/** What a stream was written, as one text. */
function sinkOf(): { text: () => string; sink: Writable } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { text: () => chunks.join(''), sink };
}

test('local mode logs lines for a person, with the same redaction; production logs JSON', async () => {
  const { text, sink } = sinkOf();
  const human = createLogger('info', await humanLogDestination(sink));
  human.info(
    { endpoint: 'http://127.0.0.1:9229', password: 'Secret-1', user: { code: '123456' } },
    'listening',
  );
  const line = text();
  assert.match(line, /^\[\d{2}:\d{2}:\d{2}\] INFO: listening /);
  assert.match(line, /"endpoint":"http:\/\/127\.0\.0\.1:9229"/);
  assert.doesNotMatch(line, /Secret-1|123456/);
  assert.doesNotMatch(line, /^\{/, 'not a JSON line');
  assert.ok(!line.includes(String.fromCharCode(27)), 'no colours when the output is not a terminal');
  const json = sinkOf();
  createLogger('info', json.sink).info({ endpoint: 'x' }, 'listening');
  assert.equal((JSON.parse(json.text()) as { msg: string }).msg, 'listening');
});
