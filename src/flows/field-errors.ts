// Field-level form errors, in the shape the templates' error summary and fields expect.
import type { MessageKey } from '../i18n/index.ts';

/** One error: the field it belongs to (for the summary link and aria-describedby), or none for the whole form. */
export interface FieldError {
  field: string | undefined;
  message: MessageKey;
  /** Extra text to show after the message (e.g. a Lambda trigger's own words). */
  detail?: string;
}

export const formError = (message: MessageKey, detail?: string): FieldError => ({
  field: undefined,
  message,
  detail,
});
export const fieldError = (field: string, message: MessageKey): FieldError => ({ field, message });

/** `{ username: [..] }` index of errors by field, for the templates. */
export function byField(errors: readonly FieldError[]): Record<string, FieldError> {
  const out: Record<string, FieldError> = {};
  for (const e of errors) if (e.field && !out[e.field]) out[e.field] = e;
  return out;
}
