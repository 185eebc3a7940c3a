// Copies of what a request found out about a signed-in session (who it is, the headers that say so), used by later
// requests of the same session instead of reading the store, until anything could have changed it.
import { createLru } from '../lru.ts';
import type { SessionChanges } from './session-changes.ts';

interface Copy<V> {
  value: V;
  /** The copy is not used from this time of the app's clock (the access token's refresh, the absolute end, ...). */
  until: number;
  /** ... nor from this time of the real clock: the session's next idle-timeout write. */
  touchAt: number;
}

interface Load {
  id: string;
  /** How many changes had been heard when the read began. */
  epoch: number;
  touchAt: number;
}

/** How many recent changes are remembered by session id (beyond that, any older unknown change refuses a copy). */
const TRACKED_CHANGES = 10_000;

/**
 * A copy is kept only for a session read while no change went unheard, and only when that session did not change
 * between the read and the keeping (so a request that read a session just before it was destroyed cannot keep it
 * alive); a change that can no longer be told apart counts as a change of every session. Every change the store tells (written, destroyed, evicted, expired, on any instance) drops the
 * session's copy; while the store cannot promise to tell every change (`complete()` false), none is used.
 */
export class SessionCopies<V> {
  private readonly copies;
  /** Where a request's read is noted on the request itself (a WeakMap would keep it past the request). */
  private readonly load = Symbol('session read');
  /** Changes heard so far. */
  private epoch = 0;
  /** Session id -> the epoch of its last change, oldest first. */
  private readonly changedAt = new Map<string, number>();
  /** Changes up to this epoch are no longer known by id (a flush, or forgotten): each may have been any session's. */
  private forgottenUpTo = 0;

  constructor(
    private readonly changes: SessionChanges | undefined,
    maxEntries: number,
  ) {
    this.copies = createLru<Copy<V>>(maxEntries);
    changes?.subscribe((id) => this.changed(id));
  }

  private changed(id: string | undefined): void {
    this.epoch += 1;
    if (id === undefined) {
      this.copies.clear();
      this.changedAt.clear();
      this.forgottenUpTo = this.epoch;
      return;
    }
    this.copies.delete(id);
    this.changedAt.delete(id);
    this.changedAt.set(id, this.epoch);
    if (this.changedAt.size > TRACKED_CHANGES) {
      const [oldest, at] = this.changedAt.entries().next().value!;
      this.changedAt.delete(oldest);
      this.forgottenUpTo = at;
    }
  }

  /** Whether copies can be used at all (the store tells its changes, and can now tell every one). */
  get usable(): boolean {
    return this.changes?.complete() === true;
  }

  /** To call just before a request reads a session from the store; pass the result to `loaded`. */
  reading(): number {
    return this.epoch;
  }

  /**
   * `request` read session `id` from the store, the read having begun at `epoch`; the session is next written (its
   * idle deadline moved) at `touchAt` on the real clock, after which a copy must not stand in for the read.
   */
  loaded(request: object, id: string, epoch: number, touchAt: number): void {
    (request as Record<symbol, Load>)[this.load] = { id, epoch, touchAt };
  }

  /** Keeps `value` for the session `request` read, until `until` on the app's clock, if nothing changed since. */
  keep(request: object, value: V, until: number): void {
    const load = (request as Record<symbol, Load | undefined>)[this.load];
    if (!load || !this.usable) return;
    if (this.forgottenUpTo > load.epoch || (this.changedAt.get(load.id) ?? 0) > load.epoch) return;
    this.copies.set(load.id, { value, until, touchAt: load.touchAt });
  }

  /** The copy of session `id`, if there is one still good at `now` (the app's clock). */
  get(id: string, now: number): V | undefined {
    if (!this.usable) return undefined;
    const copy = this.copies.get(id);
    if (!copy) return undefined;
    if (now >= copy.until || Date.now() >= copy.touchAt) {
      this.copies.delete(id);
      return undefined;
    }
    return copy.value;
  }
}
