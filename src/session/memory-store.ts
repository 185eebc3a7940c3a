// A bounded in-memory session store for one process: least recently used sessions go first when full.

/** The store interface koa-session calls; the Redis store implements the same. */
export interface SessionStore {
  get(key: string): Promise<Record<string, unknown> | undefined>;
  set(key: string, session: Record<string, unknown>, maxAgeMs: number): Promise<void>;
  destroy(key: string): Promise<void>;
  /** True when the store can serve requests (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

interface Entry {
  /** Serialised, so no request can change another's copy. */
  json: string;
  expiresAt: number;
}

export interface MemoryStoreOptions {
  maxEntries: number;
  now?: () => number;
}

/** Sessions in a Map kept in least-recently-used order; expired entries are dropped when touched or swept. */
export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();
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
      this.entries.delete(key);
      return Promise.resolve(undefined);
    }
    // Move to the most recently used end.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return Promise.resolve(JSON.parse(entry.json) as Record<string, unknown>);
  }

  set(key: string, session: Record<string, unknown>, maxAgeMs: number): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { json: JSON.stringify(session), expiresAt: this.now() + maxAgeMs });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return Promise.resolve();
  }

  destroy(key: string): Promise<void> {
    this.entries.delete(key);
    return Promise.resolve();
  }

  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    return Promise.resolve();
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
