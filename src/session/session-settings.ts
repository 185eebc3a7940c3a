// What the session layer needs to know, as the wiring module hands it over: keys, store, timeouts, size.

export interface SessionSettings {
  /** Signing keys for the session cookie, newest first. Empty in local mode until generated at start. */
  keys: string[];
  store: 'memory' | 'redis' | 'dynamodb';
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  /** The most sessions the memory store keeps. */
  maxEntries: number;
  /**
   * SESSION_COOKIE_DOMAIN: the cookie is sent to every subdomain (one sign-in for app1. and app2.example.com);
   * it is then `__Secure-` prefixed, since `__Host-` forbids a domain. Undefined: this host only.
   */
  cookieDomain: string | undefined;
}

/** The cookie and its lifetimes: `secure` when the public origin is https (then `__Host-` prefixed). */
export interface SessionCookieSettings extends Pick<
  SessionSettings,
  'idleTimeoutMs' | 'absoluteTimeoutMs' | 'cookieDomain'
> {
  secure: boolean;
}
