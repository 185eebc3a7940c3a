// Request paths as access rules see them: every way an upstream might read a path, so tricks cannot pick the laxer.

/** Longest request path the rules will look at; anything longer is denied. */
const MAX_PATH_LENGTH = 8192;

/** Whitespace or a control character: never part of a path a client may send. */
const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f);
/** A percent-encoded control character (NUL, CR, LF...): an upstream that decodes it could truncate or split. */
const ENCODED_CONTROL = /%(?:[01][0-9A-F]|7F)/;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/u;
/** A `%` with what follows it, or a character that is neither unreserved, a sub-delimiter, `:`, `@`, `/` nor `\`. */
const TO_CANONICAL = /%(.{0,2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/\\%]/gsu;

/**
 * The canonical form two spellings of a path share: percent-encodings of unreserved characters decoded (`%61` ->
 * `a`, `%2E` -> `.`), other encodings in upper case (`%2f` -> `%2F`), other characters outside the path's plain set
 * encoded (`"` -> `%22`, `é` -> `%C3%A9`); undefined when a `%` is not followed by two hex digits.
 */
function canonical(path: string): string | undefined {
  let bad = false;
  const out = path.replace(TO_CANONICAL, (match, hex: string | undefined) => {
    if (hex === undefined) {
      try {
        return encodeURIComponent(match);
      } catch {
        bad = true; // a lone surrogate
        return '';
      }
    }
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bad = true;
      return '';
    }
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
  return bad ? undefined : out;
}

/** RFC 3986 remove_dot_segments over `/`-separated segments (`dots`), or empty segments (`//`) dropped. */
function resolveSegments(path: string, dots: boolean): string {
  const input = path.split('/').slice(1);
  const out: string[] = [];
  input.forEach((segment, i) => {
    const last = i === input.length - 1;
    if (dots && (segment === '.' || segment === '..')) {
      if (segment === '..') out.pop();
      if (last) out.push('');
      return;
    }
    if (!dots && segment === '' && !last) return;
    out.push(segment);
  });
  return `/${out.join('/')}`;
}

/**
 * The ways an upstream may reread a path, each applied everywhere at once: each either leaves the path as it is or
 * shortens it (or lessens its `\`), so applying them until nothing new appears ends.
 */
const REREADINGS: readonly ((path: string) => string | undefined)[] = [
  (p) => p.replace(/\\/g, '/'),
  (p) => p.replace(/%5C/g, '/'),
  (p) => p.replace(/%2F/g, '/'),
  (p) => p.replace(/;[^/]*/g, ''),
  (p) => resolveSegments(p, false),
  (p) => resolveSegments(p, true),
  (p) => (/%25[0-9A-Fa-f]{2}/.test(p) ? canonical(p.replace(/%25(?=[0-9A-Fa-f]{2})/g, '%')) : p),
];

/**
 * More readings than this, or readings times length above MAX_WORK, means a path built to be read many ways (or to
 * make reading it slow): denied.
 */
const MAX_READINGS = 128;
const MAX_WORK = 1 << 17;
/** Nothing in it that any rereading would change. */
const PLAIN = /^(?!.*(?:[\\%;]|\/\/|\/\.\.?(?:\/|$)))/s;

/**
 * Every way an upstream might read a request path (`ctx.path`, or a raw request target: a query or fragment is cut
 * off), as distinct strings starting with `/`, in canonical form: the path itself and every result of rereading it,
 * again and again, by turning `\`, `%5C` or `%2F` into `/`, dropping `;parameters`, collapsing `//`, resolving `.`
 * and `..` segments (RFC 3986), or decoding `%25`. Closed under rereading, so a path an upstream has already
 * normalised never has a reading the raw path lacks. A caller that takes the strictest answer over them cannot be
 * talked into a laxer rule than the path an upstream really serves. An ordinary path gives one reading: itself.
 * Undefined (deny) when the path cannot be read safely: not starting with `/`, too long, with whitespace or control
 * characters (raw or encoded at any depth), a `%` not followed by two hex digits, or too many readings for its
 * length.
 */
export function pathReadings(target: string): string[] | undefined {
  const raw = target.replace(/[?#].*$/s, '');
  if (!raw.startsWith('/') || raw.length > MAX_PATH_LENGTH || hasControl(raw)) return undefined;
  const literal = canonical(raw);
  if (literal === undefined || ENCODED_CONTROL.test(literal)) return undefined;
  if (PLAIN.test(literal)) return [literal];
  const found = new Set([literal]);
  const pending = [literal];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    for (const reread of REREADINGS) {
      const next = reread(path);
      if (next === undefined || ENCODED_CONTROL.test(next)) return undefined;
      if (found.has(next)) continue;
      if (found.size >= MAX_READINGS || found.size * literal.length > MAX_WORK) return undefined;
      found.add(next);
      pending.push(next);
    }
  }
  return [...found];
}

/**
 * A path prefix from a rules document in the form request paths are compared in (unreserved percent-encodings
 * decoded), or a problem: it must start with `/` and be plain, with no query, whitespace, `.` or `..` segments,
 * `//`, `\`, `;` or encoded slashes, since no reading of a request would ever match those.
 */
export function normaliseRulePath(path: string): { path: string } | { problem: string } {
  if (!path.startsWith('/')) return { problem: 'must start with /' };
  const decoded = hasControl(path) || /[?#]/.test(path) ? undefined : canonical(path);
  if (decoded === undefined || ENCODED_CONTROL.test(decoded)) {
    return { problem: 'must be a path without query, whitespace or broken %-encoding' };
  }
  const dotSegment = decoded.split('/').some((segment) => segment === '.' || segment === '..');
  if (dotSegment || /\/\/|\\|;|%2F|%5C/.test(decoded)) {
    return { problem: 'must be a plain path: no . or .. segments, //, \\, ; or encoded slashes' };
  }
  return { path: decoded };
}

/** A rule's path prefix, kept with its lower-case form for the case-insensitive reading. */
export interface PathPrefix {
  readonly text: string;
  readonly lower: string;
}

/**
 * Whether `path` falls under `prefix`, by whole segments: `/admin` covers `/admin` and `/admin/x`, not
 * `/administrator`; `/static/` covers what is below it (not `/static` itself); `/` covers everything.
 */
export function underPrefix(prefix: string, path: string): boolean {
  if (prefix.endsWith('/')) return path.startsWith(prefix);
  return path === prefix || path.startsWith(`${prefix}/`);
}
