// Message catalogues and the `t` function that templates and handlers use for every visible text.
import { en, type MessageKey } from './en.ts';

export type { MessageKey };
export type Catalogue = Readonly<Record<MessageKey, string>>;
export type Translate = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

const catalogues: Readonly<Record<string, Catalogue>> = { en };

/** A translator for `lang` (English when unknown); `{name}` placeholders are filled from `params`. */
export function translator(lang = 'en'): Translate {
  const catalogue = catalogues[lang] ?? en;
  return (key, params) => {
    const text: string = catalogue[key] ?? key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
      Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
    );
  };
}

/** True when `key` names a message (for keys built at run time, e.g. from an error code). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}
