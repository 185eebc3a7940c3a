// What is wrong with a rules document, each problem named by the path of the bad key, never by its value.

/** A rules document that does not validate; `problems` lists every fault as `rules[2].allow.groups.any: ...`. */
export class AccessRulesError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
    this.name = 'AccessRulesError';
  }
}

/** Collects problems while a document is walked, so one error can name all of them. */
export class Problems {
  readonly list: string[] = [];

  /** Records `message` against the key at `path` (`''` for the document itself). */
  add(path: string, message: string): void {
    this.list.push(path === '' ? message : `${path}: ${message}`);
  }
}

/** `path` extended by an object key: `rules[0]` + `allow` -> `rules[0].allow`; odd keys quoted and cut short. */
export function keyPath(path: string, key: string): string {
  const name = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(key) ? key : JSON.stringify(key.slice(0, 40));
  return path === '' ? name : `${path}.${name}`;
}

/** `path` extended by a list index: `rules` + 2 -> `rules[2]`. */
export const indexPath = (path: string, index: number): string => `${path}[${index}]`;

/** A plain object (a JSON object or YAML mapping), not a list or a scalar. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The keys that mean something: those starting with `_` are comments (`_comment`, `_usage`) and ignored. */
export function meaningfulKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value).filter((key) => !key.startsWith('_'));
}

/** Reports every key of `value` that is not in `known` as unknown, naming the keys that are allowed there. */
export function rejectUnknownKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  path: string,
  problems: Problems,
): void {
  for (const key of meaningfulKeys(value)) {
    if (!known.includes(key)) problems.add(keyPath(path, key), `unknown key (expected ${known.join(', ')})`);
  }
}
