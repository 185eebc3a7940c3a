// The otpauth:// URI that authenticator apps read from a QR code (Google's Key Uri Format), every part encoded.

/**
 * `otpauth://totp/<issuer>:<account>?secret=..&issuer=..&algorithm=SHA1&digits=6&period=30`. Issuer and
 * account are percent-encoded (a space or `:` in either breaks apps otherwise: amplify-ui#1837).
 */
export function otpauthUri(issuer: string, account: string, secret: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: '6', period: '30' });
  // URLSearchParams encodes a space as `+`; authenticators expect %20.
  return `otpauth://totp/${label}?${query.toString().replace(/\+/g, '%20')}`;
}

/** The secret in groups of four for people typing it in: `JBSW Y3DP EHPK 3PXP`. */
export function groupedSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}
