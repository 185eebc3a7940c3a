// Message catalogues and the `t` function that templates and handlers use for every visible text.
import { readFileSync } from 'node:fs';
import { en, type MessageKey } from './en.ts';

export type { MessageKey };
/** Every text by key: the built-in English catalogue, plus any from MESSAGES_FILE. */
export type Messages = Readonly<Record<string, string>>;
export type Translate = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

/**
 * The catalogue: built-in English, with the entries of `file` (a flat JSON object of key -> text) added or
 * replacing ours; how custom attribute labels (`attribute.custom:company`) and wording changes get in.
 */
export function loadMessages(file?: string): Messages {
  if (!file) return en;
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
  return Object.freeze({ ...en, ...(extra as Record<string, string>) });
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
