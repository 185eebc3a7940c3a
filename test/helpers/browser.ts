// A tiny cookie-keeping HTTP client for integration tests: GET pages, POST forms with their CSRF token.

export interface Page {
  status: number;
  headers: Headers;
  body: string;
  /** The Location header of a redirect, if any. */
  location: string | undefined;
}

/** One browser: its own cookie jar, no automatic redirects (tests assert them). */
export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Page> {
    return this.request('GET', path, undefined, headers);
  }

  /** POSTs `form` as urlencoded; `_csrf` is taken from `csrfFrom`'s page unless given. */
  async post(
    path: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Page> {
    return this.request('POST', path, new URLSearchParams(form).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    });
  }

  /** GETs `formPage`, then POSTs `form` to `action` with the page's CSRF token. */
  async submit(formPage: string, action: string, form: Record<string, string>): Promise<Page> {
    const page = await this.get(formPage);
    return this.post(action, { _csrf: csrfOf(page.body), ...form });
  }

  /** Follows redirects from `page` (same origin only), up to 5. */
  async follow(page: Page): Promise<Page> {
    let current = page;
    for (let i = 0; i < 5 && current.location; i++) current = await this.get(current.location);
    return current;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** A second browser holding a copy of this one's cookies (a stolen or copied cookie). */
  clone(): Browser {
    const other = new Browser(this.baseUrl);
    for (const [k, v] of this.cookies) other.cookies.set(k, v);
    return other;
  }

  async request(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<Page> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      body,
      redirect: 'manual',
      headers: { ...(this.cookies.size ? { cookie: this.cookieHeader() } : {}), ...headers },
    });
    keepCookies(this.cookies, res.headers.getSetCookie());
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, headers: res.headers, body: await res.text(), location };
  }
}

/** The CSRF token in a page's first form. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1]!;
}

/** Keeps the cookies of Set-Cookie `lines` in `jar` as a browser does; an expired or emptied one is dropped. */
export function keepCookies(jar: Map<string, string>, lines: readonly string[]): void {
  for (const line of lines) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
    else jar.set(name, value);
  }
}
