// Message catalogues, the languages offered, and the `t` function that every visible text goes through.
import { readFileSync } from 'node:fs';
import { de } from './de.ts';
import { en, type MessageKey } from './en.ts';

export type { MessageKey };
/** Every text by key for one language. */
export type Messages = Readonly<Record<string, string>>;
export type Translate = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

/** The languages with a complete catalogue, first the default; each named in its own language for the switcher. */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'de', name: 'Deutsch' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];
export const DEFAULT_LANGUAGE: Language = 'en';

const BUILT_IN: Readonly<Record<Language, Messages>> = { en, de };

export function isLanguage(value: unknown): value is Language {
  return LANGUAGES.some((l) => l.code === value);
}

/**
 * The catalogues: ours, with a theme's `messages.<lang>.json` and MESSAGES_FILE (English) laid over them. Keys
 * missing in a language fall back to English, so an override file need not repeat everything.
 */
export function loadCatalogues(
  themeMessages: Readonly<Record<string, Record<string, string>>> = {},
  messagesFile?: string,
): Readonly<Record<Language, Messages>> {
  const englishExtra = messagesFile ? readMessagesFile(messagesFile) : {};
  const out = {} as Record<Language, Messages>;
  for (const { code } of LANGUAGES) {
    const extra = code === 'en' ? { ...themeMessages.en, ...englishExtra } : themeMessages[code];
    out[code] = Object.freeze({ ...en, ...BUILT_IN[code], ...extra });
  }
  return Object.freeze(out);
}

/** The catalogue for one file (kept for callers that want English only). */
export function loadMessages(file?: string): Messages {
  return loadCatalogues({}, file).en;
}

function readMessagesFile(file: string): Record<string, string> {
  let extra: unknown;
  try {
    extra = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`MESSAGES_FILE: cannot read ${file} as JSON (${(err as Error).message})`);
  }
  if (!extra || typeof extra !== 'object' || Array.isArray(extra)) {
    throw new Error(`MESSAGES_FILE: ${file} must hold one JSON object of "key": "text"`);
  }
  for (const [key, value] of Object.entries(extra)) {
    if (typeof value !== 'string') throw new Error(`MESSAGES_FILE: the value of "${key}" must be a string`);
  }
  return extra as Record<string, string>;
}

/** A translator over `messages`; `{name}` placeholders are filled from `params`; unknown keys show as is. */
export function createTranslator(messages: Messages = en): Translate {
  return (key, params) => {
    const text = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key]! : key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
      Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
    );
  };
}

/** True when `key` names a built-in message (for keys built at run time, e.g. from an error code). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/**
 * The best of our languages for an `Accept-Language` header (`de-CH,de;q=0.9,en;q=0.8`), by quality then order;
 * the default when none fits.
 */
export function negotiateLanguage(header: string | undefined): Language {
  if (!header) return DEFAULT_LANGUAGE;
  // Browsers send the same few headers over and over: remember the answers (bounded, it is per request work).
  const known = negotiated.get(header);
  if (known) return known;
  const language = negotiate(header);
  if (header.length <= 200) {
    if (negotiated.size >= 500) negotiated.clear();
    negotiated.set(header, language);
  }
  return language;
}

const negotiated = new Map<string, Language>();

function negotiate(header: string): Language {
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { base: tag.trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.q > 0 && !Number.isNaN(r.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return (ranked.find((r) => isLanguage(r.base))?.base as Language | undefined) ?? DEFAULT_LANGUAGE;
}
