// Rendered pages kept for reuse: the same template, language, address, user and values give the same HTML, so it
// is made once; only the CSRF token differs from one visitor to the next, and is put in on the way out.
import { createLru, type Lru } from './lru.ts';

/** How many rendered pages are kept (least recently used first out); each is a few kilobytes. */
const MAX_ENTRIES = 500;
/** Values deeper than this are not worth a key: the page is rendered every time. */
const MAX_DEPTH = 6;

export interface RenderedPage {
  html: string;
  /** The page asked for a CSRF token: each response gets its own, put where the placeholder stands. */
  usesCsrf: boolean;
}

export type RenderCache = Lru<RenderedPage>;

export function createRenderCache(maxEntries = MAX_ENTRIES): RenderCache {
  return createLru<RenderedPage>(maxEntries);
}

/**
 * The values a page is rendered with, as a cache key; undefined when any of them is something JSON would not keep
 * exactly (a function, a date, a map, a class instance, undefined in an array, a cycle too deep): such a page is
 * rendered every time, never served from a key that could mean two different pages.
 */
export function valuesKey(values: unknown): string | undefined {
  return plain(values, 0) ? JSON.stringify(values) : undefined;
}

function plain(value: unknown, depth: number): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(value)) return value.every((item) => item !== undefined && plain(item, depth + 1));
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      return Object.values(value).every((item) => item === undefined || plain(item, depth + 1));
    }
    default:
      return false;
  }
}
