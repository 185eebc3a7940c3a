// A bounded in-memory session store for one process: least recently used sessions go first when full.

/** The store interface koa-session calls; the Redis store implements the same. */
export interface SessionStore {
  get(key: string): Promise<Record<string, unknown> | undefined>;
  set(key: string, session: Record<string, unknown>, maxAgeMs: number): Promise<void>;
  destroy(key: string): Promise<void>;
  /**
   * Destroys every session whose `owners` list holds `owner` (e.g. `email:jane@example.com`) and returns their
   * contents, so the caller can also revoke their tokens. Used when a password is reset.
   */
  destroyOwnedBy(owner: string): Promise<Record<string, unknown>[]>;
  /** True when the store can serve requests (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

interface Entry {
  /** Serialised, so no request can change another's copy. */
  json: string;
  expiresAt: number;
  owners: readonly string[];
}

/** The owners a session declares (`SessionData.owners`), for destroyOwnedBy. */
export function ownersOf(session: Record<string, unknown>): string[] {
  const owners = session.owners;
  return Array.isArray(owners) ? owners.filter((o): o is string => typeof o === 'string') : [];
}

export interface MemoryStoreOptions {
  maxEntries: number;
  now?: () => number;
}

/** Sessions in a Map kept in least-recently-used order; expired entries are dropped when touched or swept. */
export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();
  /** owner -> session keys, kept in step with `entries`. */
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly options: MemoryStoreOptions) {
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Promise<Record<string, unknown> | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return Promise.resolve(undefined);
    if (entry.expiresAt <= this.now()) {
      this.remove(key);
      return Promise.resolve(undefined);
    }
    // Move to the most recently used end.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return Promise.resolve(JSON.parse(entry.json) as Record<string, unknown>);
  }

  set(key: string, session: Record<string, unknown>, maxAgeMs: number): Promise<void> {
    this.remove(key);
    const owners = ownersOf(session);
    this.entries.set(key, { json: JSON.stringify(session), expiresAt: this.now() + maxAgeMs, owners });
    for (const owner of owners) {
      let keys = this.byOwner.get(owner);
      if (!keys) this.byOwner.set(owner, (keys = new Set()));
      keys.add(key);
    }
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
    return Promise.resolve();
  }

  destroy(key: string): Promise<void> {
    this.remove(key);
    return Promise.resolve();
  }

  destroyOwnedBy(owner: string): Promise<Record<string, unknown>[]> {
    const destroyed: Record<string, unknown>[] = [];
    for (const key of [...(this.byOwner.get(owner) ?? [])]) {
      const entry = this.entries.get(key);
      if (entry) destroyed.push(JSON.parse(entry.json) as Record<string, unknown>);
      this.remove(key);
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

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const owner of entry.owners) {
      const keys = this.byOwner.get(owner);
      keys?.delete(key);
      if (keys?.size === 0) this.byOwner.delete(owner);
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.remove(key);
  }
}
