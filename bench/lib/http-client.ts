// A small cookie-keeping HTTP/1.1 client over one keep-alive connection, for sign-ins driven by the bench.
import { Agent, request, type IncomingHttpHeaders } from 'node:http';

export interface Reply {
  status: number;
  location: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What every request of the bench carries besides cookies, as a browser would. */
export const BROWSER_HEADERS: Readonly<Record<string, string>> = {
  accept: 'text/html,application/xhtml+xml',
  'accept-language': 'en-GB,en;q=0.9',
};

/** One browser: a cookie jar and its own kept-alive connection; `reset()` forgets the cookies only. */
export class BenchBrowser {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly cookies = new Map<string, string>();
  private readonly origin: URL;

  constructor(baseUrl: string) {
    this.origin = new URL(baseUrl);
  }

  /** A new visitor on the same connection. */
  reset(): void {
    this.cookies.clear();
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.send('GET', path, undefined, headers);
  }

  /** POSTs a urlencoded form as a browser on our own page would (same Origin). */
  post(path: string, form: Record<string, string>): Promise<Reply> {
    return this.send('POST', path, new URLSearchParams(form).toString());
  }

  close(): void {
    this.agent.destroy();
  }

  private send(
    method: string,
    path: string,
    body: string | undefined,
    extra: Record<string, string> = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...BROWSER_HEADERS, ...extra };
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader();
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
      headers.origin = this.origin.origin;
    }
    return new Promise<Reply>((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.origin.hostname,
          port: this.origin.port,
          method,
          path,
          headers,
        },
        (res) => {
          for (const line of res.headers['set-cookie'] ?? []) this.keep(line);
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              location: res.headers.location,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  private keep(setCookie: string): void {
    const pair = setCookie.split(';', 1)[0] ?? '';
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (value === '' || /expires=Thu, 01 Jan 1970/i.test(setCookie)) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

/** The CSRF token of a page's form. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

/** Milliseconds of each step of a sign-in. */
export interface SignInSteps {
  getLogin: number;
  postLogin: number;
  getPage: number;
}

/**
 * The complete sign-in of a new visitor: GET /login (CSRF token), POST /login, and unless `follow` is false the
 * redirect to the page. Throws unless it ends on a 200 at `/account`. `basePath`: the app's BASE_PATH.
 */
export async function signIn(
  browser: BenchBrowser,
  username: string,
  password: string,
  follow = true,
  basePath = '',
): Promise<SignInSteps> {
  const t0 = performance.now();
  const form = await browser.get(`${basePath}/login`);
  if (form.status !== 200) throw new Error(`GET ${basePath}/login answered ${form.status}`);
  const t1 = performance.now();
  const posted = await browser.post(`${basePath}/login`, { _csrf: csrfOf(form.body), username, password });
  if (posted.status !== 302 || posted.location !== `${basePath}/account`) {
    throw new Error(`POST /login answered ${posted.status} -> ${posted.location ?? '(no location)'}`);
  }
  const t2 = performance.now();
  if (follow) {
    const page = await browser.get(posted.location);
    if (page.status !== 200) throw new Error(`GET ${posted.location} answered ${page.status}`);
  }
  const t3 = performance.now();
  return { getLogin: t1 - t0, postLogin: t2 - t1, getPage: t3 - t2 };
}
