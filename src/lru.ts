// A bounded map that forgets the least recently used entry first: for caches of values that can always be made
// again (rendered pages, opened sealed sessions, verified cookie signatures, kept passes).
//
// On lru-cache, whose read of an entry only relinks two indexes in typed arrays. The Map this replaced deleted and
// set the key again on every read to keep the order, so every request that read a cache (the fast path reads two or
// three) rewrote a long-lived hash table; V8 rebuilds such a table as entries come and go, and a process proxying at
// full speed promoted about 8 MB of them to the old generation every 3 s, where it stays flat now.
import { LRUCache } from 'lru-cache';

export interface Lru<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): void;
  clear(): void;
}

export function createLru<V extends NonNullable<unknown>>(maxEntries: number): Lru<V> {
  const entries = new LRUCache<string, V>({ max: maxEntries });
  return {
    get: (key) => entries.get(key),
    set: (key, value) => void entries.set(key, value),
    delete: (key) => void entries.delete(key),
    clear: () => entries.clear(),
  };
}
