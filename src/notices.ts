// One-line notices that a redirect can ask the next page to show, by a fixed name (never free text).
import type { MessageKey } from './i18n/index.ts';

const NOTICES = {
  'signed-out': 'login.signedOut',
  'session-ended': 'login.sessionEnded',
  'sign-in-required': 'login.signInToContinue',
  'account-confirmed': 'login.accountConfirmed',
  'password-changed': 'login.passwordChanged',
  'challenge-unsupported': 'login.challengeUnsupported',
  'challenge-expired': 'login.challengeExpired',
  'too-many-codes': 'login.tooManyCodes',
} as const satisfies Record<string, MessageKey>;

export type NoticeName = keyof typeof NOTICES;

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
