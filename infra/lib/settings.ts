// What the stack is built with, read from CDK context (`cdk synth -c runtime=container`): the choices that change
// which resources exist. Values that only fill them in (the public URL, the domain prefix, the image) are
// CloudFormation parameters instead (see cognito-login-stack.ts), so one template serves every deployment.

/** Where the server runs: a Lambda behind an HTTP API with DynamoDB, or a container service with Redis. */
export type Runtime = 'lambda' | 'container';

/** How the app's image is found: built from this repository by `cdk deploy` (asset) or named at deploy time. */
export type ImageSource = 'asset' | 'parameter';

export interface StackSettings {
  runtime: Runtime;
  image: ImageSource;
  /** The server's AUTH_FLOW: the app client allows exactly this password flow, and refresh. */
  authFlow: 'USER_PASSWORD_AUTH' | 'USER_SRP_AUTH';
  /** The server's PASSWORDLESS: first factors the pool allows besides the password (needs the Essentials plan). */
  passwordless: ('email' | 'sms' | 'passkey')[];
  /**
   * A verified SES identity to send the pool's mail from. Cognito sends codes by email MFA only through SES, so
   * without it the pool offers TOTP and SMS as second factors and sends its other mail itself (a low daily quota).
   */
  sesFromEmail: string | undefined;
}

export const DEFAULT_SETTINGS: StackSettings = {
  runtime: 'lambda',
  image: 'asset',
  authFlow: 'USER_PASSWORD_AUTH',
  passwordless: [],
  sesFromEmail: undefined,
};

/** Reads the settings from CDK context values; one error names every bad key and what it accepts. */
export function settingsFromContext(get: (key: string) => unknown): StackSettings {
  const problems: string[] = [];
  const text = (key: string): string | undefined => {
    const value = get(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') {
      problems.push(`${key}: must be a string`);
      return undefined;
    }
    return value.trim();
  };
  function oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = text(key);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${key}: must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  }

  const runtime = oneOf('runtime', ['lambda', 'container'] as const, DEFAULT_SETTINGS.runtime);
  const image = oneOf('image', ['asset', 'parameter'] as const, DEFAULT_SETTINGS.image);
  const authFlow = oneOf(
    'authFlow',
    ['USER_PASSWORD_AUTH', 'USER_SRP_AUTH'] as const,
    DEFAULT_SETTINGS.authFlow,
  );
  const passwordless: StackSettings['passwordless'] = [];
  for (const way of (text('passwordless') ?? '')
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean)) {
    if (way === 'email' || way === 'sms' || way === 'passkey') {
      if (!passwordless.includes(way)) passwordless.push(way);
    } else problems.push(`passwordless: must list email, sms, passkey (got "${way}")`);
  }
  const sesFromEmail = text('sesFromEmail');
  if (sesFromEmail !== undefined && !/^[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(sesFromEmail)) {
    problems.push(`sesFromEmail: must be an email address verified in SES (got "${sesFromEmail}")`);
  }
  if (passwordless.includes('email') && sesFromEmail === undefined) {
    problems.push(
      'passwordless: email sign-in codes need sesFromEmail (Cognito sends them only through SES)',
    );
  }
  if (problems.length > 0) throw new Error(`Invalid CDK context:\n  ${problems.join('\n  ')}`);
  return { runtime, image, authFlow, passwordless, sesFromEmail };
}
