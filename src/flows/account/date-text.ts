// A moment as the account pages say it (a sign-in, a device last used), per language, in UTC with the zone named.
import { LANGUAGES, type Language } from '../../i18n/index.ts';
import { createLru } from '../../lru.ts';

/** Made once per language and moment: formatting a date is a twentieth of the account page's cost. */
const texts = createLru<string>(1000);

export function dateText(lang: Language, at: number): string {
  const key = `${lang} ${at}`;
  let text = texts.get(key);
  if (text === undefined) {
    text = FORMATS.get(lang)!.format(at);
    texts.set(key, text);
  }
  return text;
}

/** Date formats per page language, made once. */
const FORMATS = new Map(
  LANGUAGES.map(({ code }) => [
    code,
    new Intl.DateTimeFormat(code === 'en' ? 'en-GB' : code, {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: 'UTC',
      timeZoneName: 'short',
    }),
  ]),
);
