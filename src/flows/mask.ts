// Masks an email address for "we sent a code to j***@e***.com", the same way whether or not the account exists.

/** `jane.doe@example.co.uk` -> `j***@e***.co.uk`; anything without an @ -> its first character and ***. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return `${[...email][0] ?? ''}***`;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const dot = domain.indexOf('.');
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tail = dot > 0 ? domain.slice(dot) : '';
  return `${[...local][0]}***@${[...host][0] ?? ''}***${tail}`;
}
