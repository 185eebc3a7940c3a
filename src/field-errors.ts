// Field-level form errors, in the shape the templates' error summary and fields expect.
import type { MessageKey } from './i18n/index.ts';
import type { BrokenRule } from './password-policy.ts';

/** One error: the field it belongs to (for the summary link and aria-describedby), or none for the whole form. */
export interface FieldError {
  field: string | undefined;
  message: MessageKey;
  params?: Readonly<Record<string, string | number>>;
  /** Extra text to show after the message (a Lambda trigger's own words). */
  detail?: string;
  /** Every broken password rule, filled into the message as `{rule}` (listed: "a, b and c"). */
  rules?: readonly BrokenRule[];
  /** The field's label, filled into the message as `{field}`. */
  label?: MessageKey;
}

export const formError = (
  message: MessageKey,
  params?: FieldError['params'],
  detail?: string,
): FieldError => ({
  field: undefined,
  message,
  params,
  detail,
});
export const fieldError = (
  field: string,
  message: MessageKey,
  params?: FieldError['params'],
): FieldError => ({
  field,
  message,
  params,
});

/** `{ username: error }` index of errors by field, for the templates. */
export function byField(errors: readonly FieldError[]): Record<string, FieldError> {
  const out: Record<string, FieldError> = {};
  for (const e of errors) if (e.field && !out[e.field]) out[e.field] = e;
  return out;
}
