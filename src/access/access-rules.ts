// The access decision for a request: public, allowed, denied, or sign in first; pure, no I/O and no Cognito call.
import { type ConditionSubject, conditionHolds } from './conditions.ts';
import { pathReadings, underPrefix } from './request-path.ts';
import type { AccessRules } from './rules-format.ts';

export type { AccessRules };

/**
 * `public`: the path needs no sign-in; `allow`: the signed-in user may pass; `deny`: they may not (a 403, never a
 * redirect); `sign-in`: nobody is signed in and the path is not public.
 */
export type AccessDecision = { kind: 'public' } | { kind: 'allow' } | { kind: 'deny' } | { kind: 'sign-in' };

/** What a decision looks at. */
export interface AccessRequest {
  /** The signed-in identity (an `Identity` from resolve-auth.ts), or undefined when nobody is signed in. */
  identity: ConditionSubject | undefined;
  /** The HTTP method, in any case. */
  method: string;
  /** The request path as received, not decoded (`ctx.path`); a query string is ignored. */
  path: string;
}

type Outcome = AccessDecision['kind'];

/** Strictest last: the answer over several readings of a path is the strictest of theirs. */
const STRICTNESS: readonly Outcome[] = ['public', 'allow', 'sign-in', 'deny'];

const DECISIONS: Readonly<Record<Outcome, AccessDecision>> = {
  public: Object.freeze({ kind: 'public' }),
  allow: Object.freeze({ kind: 'allow' }),
  'sign-in': Object.freeze({ kind: 'sign-in' }),
  deny: Object.freeze({ kind: 'deny' }),
};

/** The outcome for one reading of the path, compared case-sensitively or (`lower`) in lower case. */
function outcomeFor(
  rules: AccessRules,
  identity: ConditionSubject | undefined,
  method: string,
  reading: string,
  lower: boolean,
): Outcome {
  const path = lower ? reading.toLowerCase() : reading;
  const form = lower ? 'lower' : 'text';
  if (rules.public.some((prefix) => underPrefix(prefix[form], path))) return 'public';
  if (!identity) return 'sign-in';
  const rule = rules.rules.find(
    (r) => (r.methods === undefined || r.methods.has(method)) && underPrefix(r.path[form], path),
  );
  return conditionHolds(rule ? rule.allow : rules.default, identity) ? 'allow' : 'deny';
}

/**
 * Whether a request may pass. Public paths pass for everyone; otherwise a request without an identity must sign in,
 * and a signed-in one passes when the first rule matching its path and method (or the default) holds for it.
 *
 * When in doubt it denies: the path is read every way an upstream might read it (percent-decoded, with `%2F` as
 * `/`, `;parameters` dropped, `//` collapsed, `..` resolved: see `pathReadings`), each reading both as it is and in
 * lower case (for upstreams that ignore case), and the strictest answer wins. So `/static/..%2Fadmin` is no more
 * public than `/admin`, and `/ADMIN` no less guarded than `/admin`. A path that cannot be read safely (control
 * characters, broken `%`-encoding, not starting with `/`) is denied, signed in or not.
 */
export function decide(rules: AccessRules, request: AccessRequest): AccessDecision {
  const readings = pathReadings(request.path);
  if (!readings) return DECISIONS.deny;
  const method = request.method.toUpperCase();
  let strictest = 0;
  for (const reading of readings) {
    for (const lower of [false, true]) {
      const rank = STRICTNESS.indexOf(outcomeFor(rules, request.identity, method, reading, lower));
      if (rank > strictest) strictest = rank;
      if (STRICTNESS[strictest] === 'deny') return DECISIONS.deny;
    }
  }
  return DECISIONS[STRICTNESS[strictest]!];
}
