// How often codes may be sent and tried, whatever browser asks: per destination (the email address or phone
// number, hashed) and per client address, counted in the limiter backend (Redis when instances share it).
import type { Context } from 'koa';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { formError, type FieldError } from '../field-errors.ts';
import { clientAddressKey } from '../rate-limit/client-address.ts';
import { counterKey } from '../rate-limit/counter-key.ts';
import { createLimiter, limitedOrUnavailable, type LimiterBackend } from '../rate-limit/limiter-backend.ts';

/** What a code is for; each kind has its own cooldown and hourly cap per destination. */
export type CodeKind = 'sign-up' | 'recovery' | 'mfa';

/** Why a code was not sent, and when to ask again. */
export interface CodeRefusal {
  /** `cooldown`: too soon after the last code of this kind to this destination; `cap`: too many this hour. */
  reason: 'cooldown' | 'cap';
  retryAfterSeconds: number;
}

/**
 * A code claimed, or why not. `release` gives a claimed code back when none went out after all (Cognito refused the
 * request before sending), so that a retry need not wait.
 */
export type CodeClaim =
  { refused: CodeRefusal; release?: undefined } | { refused?: undefined; release: () => Promise<void> };

export interface CodeLimits {
  /**
   * Spends one code of `kind` to `destination` for client `ip` before Cognito is asked to send it, or says why it
   * may not be sent (nothing stays spent then). A cooldown or cap hit reads the same for every address, known or
   * not.
   */
  claimSend(ip: string, kind: CodeKind, destination: string): Promise<CodeClaim>;
  /**
   * What claimSend would answer, spending nothing: for a call that may or may not send a code (a sign-in whose
   * second step Cognito decides), checked before it and claimed once a code has gone.
   */
  peekSend(ip: string, kind: CodeKind, destination: string): Promise<CodeRefusal | undefined>;
  /**
   * Spends one answer to a code of `purpose` (whose code: `key`) before Cognito checks it: false when none is left
   * (then Cognito must not be asked). Atomic, so parallel answers get no more tries than sequential ones. Sign-up
   * codes are counted for every name alike, so a taken address, whose confirmation Cognito refuses forever, runs
   * out exactly when a new account's code would.
   */
  spendAnswer(purpose: AnswerPurpose, key: string): Promise<boolean>;
  /** What became of the answer: right (the count is cleared), wrong (it stays spent), no verdict (given back). */
  settleAnswer(purpose: AnswerPurpose, key: string, outcome: 'right' | 'wrong' | 'undecided'): Promise<void>;
  /** A new code was sent: its answers start again, as Cognito's do. */
  newCode(purpose: AnswerPurpose, key: string): Promise<void>;
}

/** Codes answered on our pages: a sign-up's confirmation code, a re-authentication's MFA code. */
export type AnswerPurpose = 'sign-up' | 'reauth';

export interface CodeLimitSettings {
  /** Seconds between two codes of one kind to one destination (RESEND_COOLDOWN_SECONDS); 0: none. */
  cooldownSeconds: number;
  /** Codes of one kind to one destination within a cooldown (1: a plain cooldown). */
  perCooldown: number;
  /** Codes of one kind to one destination per hour. */
  perDestinationPerHour: number;
  /** Codes of every kind asked for from one client address per hour. */
  perAddressPerHour: number;
  /** Answers per code and how long they are counted (at least the code's lifetime). */
  answers: Readonly<Record<AnswerPurpose, { max: number; windowSeconds: number }>>;
}

const HOUR_SECONDS = 60 * 60;

/**
 * The limits for the configuration. RATE_LIMIT_PER_ACCOUNT (default 10) scales the per-destination ones: at its
 * default one code per cooldown and five an hour per kind (what Cognito allows per user for resends and resets), in
 * proportion above it, so a deployment (or a test suite) that raises the account limit raises these too.
 * RATE_LIMIT_PER_IP is the hourly number of codes one client address may ask for, all kinds together.
 */
export function codeLimitSettings(
  config: Pick<Config, 'rateLimit' | 'resendCooldownSeconds' | 'mfa'>,
): CodeLimitSettings {
  const scale = Math.max(1, Math.floor(config.rateLimit.perAccount / 10));
  return {
    cooldownSeconds: config.resendCooldownSeconds,
    perCooldown: scale,
    perDestinationPerHour: 5 * scale,
    perAddressPerHour: config.rateLimit.perIp,
    answers: {
      // A sign-up code lives 24 hours and dies after 5 wrong answers at Cognito: ours must not allow more.
      'sign-up': { max: 5, windowSeconds: 24 * HOUR_SECONDS },
      // A re-authentication's challenge lives AUTH_SESSION_MINUTES; MFA_MAX_ATTEMPTS answers, as at sign-in.
      reauth: { max: config.mfa.maxAttempts, windowSeconds: Math.max(60, config.mfa.challengeMinutes * 60) },
    },
  };
}

/**
 * The cooldown is measured on the app's clock (`now`, ms), in two grids of buckets a cooldown long, the second
 * offset by half a cooldown: a code takes a place in its bucket of each grid. Two codes less than half a cooldown
 * apart share a bucket in at least one grid, so a destination gets at most `perCooldown` codes in any half
 * cooldown and, once spent, waits until a full bucket has passed. Each consume is atomic in the backend, so
 * parallel requests from fresh browsers get no more codes than sequential ones.
 */
export function createCodeLimits(
  settings: CodeLimitSettings,
  backend: LimiterBackend,
  now: () => number,
): CodeLimits {
  const cooldownMs = settings.cooldownSeconds * 1000;
  const cooldown =
    cooldownMs > 0
      ? createLimiter(backend, 'rl:codes:cooldown', settings.perCooldown, 2 * settings.cooldownSeconds + 1)
      : undefined;
  const perDestination = createLimiter(
    backend,
    'rl:codes:destination',
    settings.perDestinationPerHour,
    HOUR_SECONDS,
  );
  const perAddress = createLimiter(backend, 'rl:codes:address', settings.perAddressPerHour, HOUR_SECONDS);
  const answers: Record<AnswerPurpose, RateLimiterAbstract> = {
    'sign-up': answerLimiter(backend, 'sign-up', settings),
    reauth: answerLimiter(backend, 'reauth', settings),
  };

  /** The checks of one send, in order: each a limiter, its key, and the wait when it refuses. */
  function checksOf(ip: string, kind: CodeKind, destination: string): Check[] {
    const to = `${kind}\n${counterKey(destination.trim().toLowerCase())}`;
    const checks: Check[] = [];
    if (cooldown) {
      const t = now();
      for (const offset of [0, cooldownMs / 2]) {
        const bucket = Math.floor((t + offset) / cooldownMs);
        const endsIn = (bucket + 1) * cooldownMs - (t + offset);
        checks.push({
          limiter: cooldown,
          points: settings.perCooldown,
          key: `${to}\n${offset}\n${bucket}`,
          refusal: () => ({ reason: 'cooldown', retryAfterSeconds: Math.max(1, Math.ceil(endsIn / 1000)) }),
        });
      }
    }
    const capped = (ms: number): CodeRefusal => ({
      reason: 'cap',
      retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)),
    });
    checks.push({
      limiter: perDestination,
      points: settings.perDestinationPerHour,
      key: to,
      refusal: capped,
    });
    checks.push({
      limiter: perAddress,
      points: settings.perAddressPerHour,
      key: clientAddressKey(ip),
      refusal: capped,
    });
    return checks;
  }

  return {
    async claimSend(ip, kind, destination) {
      const spent: Check[] = [];
      const giveBack = async () => {
        for (const s of spent.splice(0)) await s.limiter.reward(s.key, 1).catch(limitedOrUnavailable);
      };
      for (const check of checksOf(ip, kind, destination)) {
        try {
          await check.limiter.consume(check.key);
          spent.push(check);
        } catch (err) {
          const refused = limitedOrUnavailable(err);
          // The refused request sends nothing: what it took from the other limits goes back.
          await giveBack();
          return { refused: check.refusal(refused.msBeforeNext) };
        }
      }
      return { release: giveBack };
    },

    async peekSend(ip, kind, destination) {
      for (const check of checksOf(ip, kind, destination)) {
        const res = await check.limiter.get(check.key).catch(limitedOrUnavailable);
        if (res && res.consumedPoints >= check.points) return check.refusal(res.msBeforeNext);
      }
      return undefined;
    },

    async spendAnswer(purpose, key) {
      try {
        await answers[purpose].consume(accountKey(key));
        return true;
      } catch (err) {
        limitedOrUnavailable(err);
        return false;
      }
    },

    async settleAnswer(purpose, key, outcome) {
      if (outcome === 'right') await answers[purpose].delete(accountKey(key)).catch(limitedOrUnavailable);
      else if (outcome === 'undecided') {
        await answers[purpose].reward(accountKey(key), 1).catch(limitedOrUnavailable);
      }
    },

    async newCode(purpose, key) {
      await answers[purpose].delete(accountKey(key)).catch(limitedOrUnavailable);
    },
  };
}

function answerLimiter(
  backend: LimiterBackend,
  purpose: AnswerPurpose,
  settings: CodeLimitSettings,
): RateLimiterAbstract {
  const { max, windowSeconds } = settings.answers[purpose];
  return createLimiter(backend, `rl:code-answers:${purpose}`, max, windowSeconds);
}

interface Check {
  limiter: RateLimiterAbstract;
  points: number;
  key: string;
  refusal: (msBeforeNext: number) => CodeRefusal;
}

/**
 * The error a form shows for a refused code, with Retry-After set; the page answers 429 (CODE_REFUSED_STATUS).
 */
export function codeRefusalError(ctx: Context, refusal: CodeRefusal): FieldError {
  ctx.set('Retry-After', String(refusal.retryAfterSeconds));
  return refusal.reason === 'cooldown'
    ? formError('confirm.tooSoon', { seconds: refusal.retryAfterSeconds })
    : formError('errors.TOO_MANY_ATTEMPTS');
}

export const CODE_REFUSED_STATUS = 429;

/**
 * Where an MFA code of a sign-in goes when only Cognito knows the phone or address (the challenge names it masked):
 * the account stands for it, one destination of each kind per account.
 */
export const mfaDestination = (username: string) => `account:${username.trim().toLowerCase()}`;

/** A sign-in name as Cognito compares it (trimmed, any case), or another key, hashed. */
const accountKey = (account: string) => counterKey(account.trim().toLowerCase());
