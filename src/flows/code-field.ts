// Reads a one-time code as people type it: spaces and dashes dropped, then exactly six digits.
import { fieldError, type FieldError } from '../field-errors.ts';

/** The code, or the field error that says what is wrong with it. Codes are never echoed back into forms. */
export function parseCode(raw: string | undefined, field = 'code'): { code: string; error?: FieldError } {
  const code = (raw ?? '').replace(/[\s-]/g, '');
  if (code === '') return { code, error: fieldError(field, 'code.missing') };
  if (!/^\d{6}$/.test(code)) return { code, error: fieldError(field, 'code.invalid') };
  return { code };
}
