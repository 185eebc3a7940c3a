// One-line notices that a redirect can ask the next page to show, by a fixed name (never free text).
import type { MessageKey } from './i18n/index.ts';

const NOTICES = {
  'signed-out': 'login.signedOut',
  'session-ended': 'login.sessionEnded',
  'sign-in-required': 'login.signInToContinue',
  'account-confirmed': 'login.accountConfirmed',
  'password-changed': 'login.passwordChanged',
  'signed-out-everywhere': 'login.signedOutEverywhere',
  'account-deleted': 'login.accountDeleted',
  'challenge-unsupported': 'login.challengeUnsupported',
  'challenge-expired': 'login.challengeExpired',
  'too-many-codes': 'login.tooManyCodes',
  'passkey-failed': 'login.passkeyFailed',
  'first-factor-expired': 'login.firstFactorExpired',
} as const satisfies Record<string, MessageKey>;

export type NoticeName = keyof typeof NOTICES;

/** The notices that say something went well: shown in the success style. */
const SUCCESSES: ReadonlySet<string> = new Set<NoticeName>([
  'signed-out',
  'account-confirmed',
  'password-changed',
  'signed-out-everywhere',
  'account-deleted',
]);

/** `success` for a notice that says something went well, else undefined (a neutral notice). */
export function noticeTone(name: unknown): 'success' | undefined {
  return typeof name === 'string' && SUCCESSES.has(name) ? 'success' : undefined;
}

/** The message for a `?notice=` value, or undefined for anything we did not send. */
export function noticeMessage(name: unknown): MessageKey | undefined {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(NOTICES, name)
    ? NOTICES[name as NoticeName]
    : undefined;
}

/** `/login?returnTo=..&notice=..`, for redirects to the sign-in page. */
export function loginUrl(returnTo: string | undefined, notice?: NoticeName): string {
  return `/login${loginQuery(returnTo, notice)}`;
}

/** `?returnTo=..&notice=..` (or nothing), the query of a redirect to the sign-in page. */
export function loginQuery(returnTo: string | undefined, notice?: NoticeName): string {
  const query = new URLSearchParams();
  if (returnTo) query.set('returnTo', returnTo);
  if (notice) query.set('notice', notice);
  const qs = query.toString();
  return qs ? `?${qs}` : '';
}
