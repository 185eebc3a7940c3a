// Types that Koa's context gains in this app: the typed session and per-request state.
import type { Language } from './i18n/index.ts';
import type { SessionData } from './session/auth-session.ts';
import type { Identity } from './session/resolve-auth.ts';

/** The parts of koa-session's session model the app uses. */
export interface SessionControl {
  regenerate(): Promise<void> | undefined;
  save(): Promise<void> | undefined;
}

declare module 'koa' {
  interface ExtendableContext {
    session: (SessionData & SessionControl) | null;
  }
  interface DefaultState {
    /** The parsed urlencoded form of a POST, with unique keys only. */
    form?: Readonly<Record<string, string>>;
    /** The language of this response's pages. */
    lang?: Language;
    /** The Location set is a public address (`redirectPublic`): the base-path mount leaves it alone. */
    publicLocation?: boolean;
    /** Who is signed in, once requireAuth has let the request through. */
    identity?: Identity;
    /** Until when (the app's clock) requireAuth's answer stays the same (the next refresh, the sign-in's end). */
    stableUntil?: number;
  }
}
