// Walks the emulator's hosted UI as a browser would: authorize, its sign-in form, back with a code.
import { Browser, type Page } from './browser.ts';

/** The hidden fields of the first form on an HTML page. */
export function hiddenFields(html: string): Record<string, string> {
  const form = /<form[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    fields[decode(m[1]!)] = decode(m[2]!);
  }
  return fields;
}

function decode(text: string): string {
  return text.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
}

/**
 * Follows `authorizeUrl` on the emulator with `hosted` (its own cookie jar), submits the sign-in form (or, with
 * `cancel`, its Cancel button), and returns the redirect back to the app.
 */
export async function hostedSignIn(
  hosted: Browser,
  authorizeUrl: string,
  credentials: { username: string; password: string } | 'cancel',
): Promise<Page> {
  let page = await hosted.get(authorizeUrl);
  for (
    let i = 0;
    i < 3 && page.location && new URL(page.location, hosted.baseUrl).origin === hosted.baseUrl;
    i++
  ) {
    page = await hosted.get(page.location);
  }
  if (page.location) return page; // the hosted UI's own session skipped the form
  const fields = hiddenFields(page.body);
  const form = credentials === 'cancel' ? { ...fields, cancel: '1' } : { ...fields, ...credentials };
  return hosted.post('/login', form);
}

export const newHostedBrowser = (endpoint: string) => new Browser(endpoint);
