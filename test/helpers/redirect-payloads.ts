// Open-redirect payloads for `returnTo`, shared by the flow suite (test/security/redirects) and the unit tests of
// the redirect policy: every one must fall back to our own page.

/** The host every payload tries to reach. */
export const EVIL_HOST = 'evil.example';
const HOST = EVIL_HOST;

/** Payloads that must fall back to /account. */
export const REFUSED: readonly string[] = [
  // double slashes and backslashes
  `//${HOST}`,
  `///${HOST}`,
  `////${HOST}/account`,
  `/\\${HOST}`,
  `\\\\${HOST}`,
  `\\/${HOST}`,
  `/\\/${HOST}`,
  `/\\\\${HOST}`,
  // dot segments that collapse into `//` once the path is normalised
  `/..//${HOST}`,
  `/.//${HOST}`,
  `/a/..//${HOST}`,
  `/%2e%2e//${HOST}`,
  `/%2e//${HOST}`,
  `/./.././/${HOST}`,
  // encoded slashes and backslashes
  `%2F%2F${HOST}`,
  `/%2F${HOST}`,
  `/%2f${HOST}`,
  `%2F%5C${HOST}`,
  `/%5C${HOST}`,
  `/%5c${HOST}`,
  `%5C%5C${HOST}`,
  `%252F%252F${HOST}`,
  // whitespace and control characters
  `/\t/${HOST}`,
  `\t//${HOST}`,
  `/\n/${HOST}`,
  `/\r\n/${HOST}`,
  ` //${HOST}`,
  `//${HOST} `,
  `/%09/${HOST}`,
  `/%0a/${HOST}`,
  `/%0d%0a/${HOST}`,
  `/%20/${HOST}`,
  `/\u00a0/${HOST}`,
  `\u3000//${HOST}`,
  `/\u2028/${HOST}`,
  `/\u0000/${HOST}`,
  `/%00/${HOST}`,
  `/\u007f/${HOST}`,
  `/\u0085/${HOST}`,
  '/%0d%0aSet-Cookie:%20session=x',
  // schemes
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  ' javascript:alert(1)',
  'java\tscript:alert(1)',
  '%6a%61vascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'vbscript:msgbox(1)',
  `https://${HOST}`,
  `http://${HOST}/account`,
  `https:${HOST}`,
  `https:/${HOST}`,
  `https:\\\\${HOST}`,
  `HTTPS://${HOST}`,
  // userinfo tricks and bare hosts
  `//${HOST}@good.example`,
  `//good.example@${HOST}`,
  `https://good.example@${HOST}`,
  `@${HOST}`,
  `good.example@${HOST}`,
  HOST,
  `.//${HOST}`,
  `../${HOST}`,
  'account',
  // unicode lookalikes that do not start with a real slash
  `\uff0f\uff0f${HOST}`,
  `\u2215\u2215${HOST}`,
  `\u2216\u2216${HOST}`,
  // very long
  '/' + 'a'.repeat(2100),
  '//' + 'a'.repeat(2000) + `.${HOST}`,
  '/' + '%2F'.repeat(700),
  // pages that sign in or out
  '/login',
  '/logout',
  '',
];
