// The structured logger; secrets are redacted by name wherever they appear in a log object.
import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * `code` is a verification, MFA or authorization code, always: it is redacted. What went wrong (an AuthError's code
 * such as TOKEN_REVOKED) is logged under `error`, and Cognito's exception name under `cognito`.
 */
const REDACT = [
  'password',
  'newPassword',
  'code',
  '*.password',
  '*.newPassword',
  '*.code',
  '*.idToken',
  '*.accessToken',
  '*.refreshToken',
  '*.cookie',
  '*.authorization',
  '*.clientSecret',
  '*.session',
  'req.headers.cookie',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: undefined }, destination);
}

/**
 * Lines for a person at a terminal (`12:00:01 INFO: local-cognito: listening endpoint: "http://..."`), for local
 * mode; production keeps one JSON object a line. The same redaction applies: it happens before formatting.
 */
export async function humanLogDestination(
  output: NodeJS.WritableStream = process.stdout,
): Promise<pino.DestinationStream> {
  // Loaded for local mode only: production and Lambda log JSON and never read the formatter.
  const { default: pretty } = await import('pino-pretty');
  return pretty({
    destination: output,
    sync: true,
    colorize: 'isTTY' in output && output.isTTY === true,
    translateTime: 'HH:MM:ss',
    singleLine: true,
  });
}
