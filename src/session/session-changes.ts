// Word of every change to a stored session, for what keeps copies of sessions outside the store (protect/pass-cache.ts).

/** Called after a session changed: its id, or undefined when any session may have changed. */
export type SessionChangeListener = (id: string | undefined) => void;

/**
 * A store's changes: every write, destroy, eviction and expiry it makes (a shared store: by any instance). A copy of a
 * session may be used instead of reading the store only while `complete()` is true; a store without this (or whose
 * channel is down) is simply read every time.
 */
export interface SessionChanges {
  subscribe(listener: SessionChangeListener): void;
  /** True while no change can go unheard (a shared store's channel is up). */
  complete(): boolean;
}

/** The changes of a store in this process: each is told as it happens, and none can be missed. */
export class LocalChanges implements SessionChanges {
  private readonly listeners: SessionChangeListener[] = [];

  subscribe(listener: SessionChangeListener): void {
    this.listeners.push(listener);
  }

  complete(): boolean {
    return true;
  }

  /** Tells every listener (they must not throw). */
  changed(id: string | undefined): void {
    for (const listener of this.listeners) listener(id);
  }
}
