// A bounded in-memory session store for one process: anonymous sessions go first when full, then the least used.
import { LocalChanges, type SessionChanges } from './session-changes.ts';

/**
 * How a write relates to what is stored. `create`: a new id (koa-session's genid), refused if the id is taken.
 * `update`: the session the request loaded, written only while it still lives in the store: never after it was
 * destroyed, expired or evicted, so a request in flight cannot bring back a session that ended under it.
 * Absent: either, but never over a destroyed session (its tombstone).
 */
export type SessionWriteMode = 'create' | 'update';

export interface SessionWriteOptions {
  mode?: SessionWriteMode;
}

/** The store interface koa-session calls; the Redis store implements the same. */
export interface SessionStore {
  get(key: string): Promise<Record<string, unknown> | undefined>;
  /** Writes `session` for `maxAgeMs`, unless `options.mode` (or a destroyed session's tombstone) refuses it. */
  set(
    key: string,
    session: Record<string, unknown>,
    maxAgeMs: number,
    options?: SessionWriteOptions,
  ): Promise<void>;
  /** Ends the session: it never reads again, and is never written again (a tombstone lives as long as it would). */
  destroy(key: string): Promise<void>;
  /**
   * Destroys every session whose `owners` list holds `owner` (e.g. `email:jane@example.com`) and returns their
   * contents, so the caller can also revoke their tokens. Used when a password is reset.
   */
  destroyOwnedBy(owner: string): Promise<Record<string, unknown>[]>;
  /** True when the store can serve requests (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** Every change to a session, when the store can tell them (see session-changes.ts); else copies are never used. */
  readonly changes?: SessionChanges | undefined;
}

interface Entry {
  /** Serialised, so no request can change another's copy. */
  json: string;
  expiresAt: number;
  owners: readonly string[];
  /** When it last moved to the most recently used end (ms). */
  movedAt: number;
}

/**
 * How often a session read moves to the most recently used end: at most once a minute. Moving it on every read (a
 * delete and a set on a Map of every session) made each request about a fifth slower with 100k sessions held; the
 * order is still right to within a minute, which is all the eviction of the least recently used needs.
 */
const MOVE_INTERVAL_MS = 60_000;

/** The owners a session declares (`SessionData.owners`), for destroyOwnedBy. */
export function ownersOf(session: Record<string, unknown>): string[] {
  const owners = session.owners;
  return Array.isArray(owners) ? owners.filter((o): o is string => typeof o === 'string') : [];
}

/**
 * Whether a write may go ahead, given whether the id holds a live session and whether it was destroyed.
 * The one rule of every store (the Redis store runs the same in a script).
 */
export function writeAllowed(mode: SessionWriteMode | undefined, live: boolean, destroyed: boolean): boolean {
  if (destroyed) return false;
  if (mode === 'create') return !live;
  if (mode === 'update') return live;
  return true;
}

export interface MemoryStoreOptions {
  /** The most sessions kept, signed-in and anonymous together. */
  maxEntries: number;
  now?: () => number;
}

/**
 * Sessions in two Maps kept in least-recently-used order: those with owners (signed in) and those without
 * (pre-sign-in states: a challenge, a pending sign-up or reset). When full, anonymous sessions go first, so
 * anonymous traffic can never push a signed-in user out; signed-in sessions only make room for one another.
 * Expired entries are dropped when touched or swept. Destroyed ids keep a tombstone until they would have expired.
 */
export class MemorySessionStore implements SessionStore {
  private readonly owned = new Map<string, Entry>();
  private readonly anonymous = new Map<string, Entry>();
  /** owner -> session keys, kept in step with the entries. */
  private readonly byOwner = new Map<string, OwnedKeys>();
  /** Destroyed ids -> when their tombstone may go; in insertion order, so the oldest go first when too many. */
  private readonly tombstones = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly now: () => number;
  /** Every removal of a live session (overwritten, destroyed, evicted, expired) is told here. */
  readonly changes = new LocalChanges();

  constructor(private readonly options: MemoryStoreOptions) {
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  /** Sessions held (tombstones not counted). */
  get size(): number {
    return this.owned.size + this.anonymous.size;
  }

  get(key: string): Promise<Record<string, unknown> | undefined> {
    const entry = this.live(key);
    if (!entry) return Promise.resolve(undefined);
    const now = this.now();
    if (now - entry.movedAt >= MOVE_INTERVAL_MS) {
      // Move to the most recently used end.
      const map = this.mapOf(entry);
      map.delete(key);
      map.set(key, entry);
      entry.movedAt = now;
    }
    return Promise.resolve(JSON.parse(entry.json) as Record<string, unknown>);
  }

  set(
    key: string,
    session: Record<string, unknown>,
    maxAgeMs: number,
    options: SessionWriteOptions = {},
  ): Promise<void> {
    if (!writeAllowed(options.mode, this.live(key) !== undefined, this.tombstoned(key))) {
      return Promise.resolve();
    }
    this.remove(key);
    const owners = ownersOf(session);
    const now = this.now();
    const entry: Entry = { json: JSON.stringify(session), expiresAt: now + maxAgeMs, owners, movedAt: now };
    this.mapOf(entry).set(key, entry);
    for (const owner of owners) this.byOwner.set(owner, withKey(this.byOwner.get(owner), key));
    this.evict();
    return Promise.resolve();
  }

  destroy(key: string): Promise<void> {
    this.end(key);
    return Promise.resolve();
  }

  destroyOwnedBy(owner: string): Promise<Record<string, unknown>[]> {
    const destroyed: Record<string, unknown>[] = [];
    for (const key of keysOf(this.byOwner.get(owner))) {
      const entry = this.end(key);
      if (entry) destroyed.push(JSON.parse(entry.json) as Record<string, unknown>);
    }
    return Promise.resolve(destroyed);
  }

  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    return Promise.resolve();
  }

  private mapOf(entry: Entry): Map<string, Entry> {
    return entry.owners.length > 0 ? this.owned : this.anonymous;
  }

  /** The entry of `key` if it has not expired (an expired one is dropped). */
  private live(key: string): Entry | undefined {
    const entry = this.owned.get(key) ?? this.anonymous.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(key);
      return undefined;
    }
    return entry;
  }

  private tombstoned(key: string): boolean {
    const until = this.tombstones.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.tombstones.delete(key);
    return false;
  }

  /** Removes a live session and leaves its tombstone; an id that held nothing leaves nothing behind. */
  private end(key: string): Entry | undefined {
    const entry = this.live(key);
    if (!entry) return undefined;
    this.remove(key);
    this.tombstones.set(key, entry.expiresAt);
    while (this.tombstones.size > this.options.maxEntries) {
      const oldest = this.tombstones.keys().next().value;
      if (oldest === undefined) break;
      this.tombstones.delete(oldest);
    }
    return entry;
  }

  /** Over the limit: the least recently used anonymous sessions first, signed-in ones only when none is left. */
  private evict(): void {
    while (this.size > this.options.maxEntries) {
      const map = this.anonymous.size > 0 ? this.anonymous : this.owned;
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
  }

  private remove(key: string): void {
    const entry = this.owned.get(key) ?? this.anonymous.get(key);
    if (!entry) return;
    this.mapOf(entry).delete(key);
    this.changes.changed(key);
    for (const owner of entry.owners) {
      const keys = withoutKey(this.byOwner.get(owner), key);
      if (keys === undefined) this.byOwner.delete(owner);
      else this.byOwner.set(owner, keys);
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const map of [this.owned, this.anonymous]) {
      for (const [key, entry] of map) if (entry.expiresAt <= now) this.remove(key);
    }
    for (const [key, until] of this.tombstones) if (until <= now) this.tombstones.delete(key);
  }
}

/**
 * The session ids of one owner: most owners have one session, kept as its id alone (a Set per owner cost a few
 * hundred bytes a session); a Set once there are more.
 */
type OwnedKeys = string | Set<string>;

function withKey(keys: OwnedKeys | undefined, key: string): OwnedKeys {
  if (keys === undefined || keys === key) return key;
  if (typeof keys === 'string') return new Set([keys, key]);
  return keys.add(key);
}

function withoutKey(keys: OwnedKeys | undefined, key: string): OwnedKeys | undefined {
  if (keys === undefined || keys === key) return undefined;
  if (typeof keys === 'string') return keys;
  keys.delete(key);
  if (keys.size > 1) return keys;
  return keys.size === 1 ? keys.values().next().value : undefined;
}

/** A copy of the ids, safe to iterate while they are removed. */
function keysOf(keys: OwnedKeys | undefined): string[] {
  if (keys === undefined) return [];
  return typeof keys === 'string' ? [keys] : [...keys];
}
