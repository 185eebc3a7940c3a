// The hosted UI's HTML: sign-in form, MFA code form, error page. Every value escaped; no script; inline style only.

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Headers of every hosted-UI page. */
export const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function layout(title: string, body: string, lang = 'en'): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - Local Cognito</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; color: #222; background: #f4f5f7; }
main { max-width: 24rem; margin: 3rem auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
label { display: block; margin-top: 1rem; font-weight: 600; }
input[type=text], input[type=email], input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem; margin-top: .25rem; font-size: 1rem; }
.buttons { margin-top: 1.5rem; display: flex; gap: .5rem; }
button { padding: .5rem 1rem; font-size: 1rem; cursor: pointer; }
.error { color: #a00; background: #fee; padding: .5rem; border-radius: 4px; }
.note { color: #555; font-size: .9rem; }
</style>
</head>
<body>
<main>
${body}
<p class="note">Local Cognito emulator (hosted UI)</p>
</main>
</body>
</html>
`;
}

const hidden = (fields: Record<string, string>): string =>
  Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');

const errorBlock = (error: string | undefined): string =>
  error === undefined ? '' : `<p class="error" role="alert" id="form-error">${escapeHtml(error)}</p>`;

/** The sign-in form: posts to /login with the authorize request in hidden fields. */
export function loginPage(opts: {
  params: Record<string, string>;
  csrf: string;
  username?: string | undefined;
  error?: string | undefined;
  lang?: string | undefined;
}): string {
  const described = opts.error === undefined ? '' : ' aria-describedby="form-error"';
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
${errorBlock(opts.error)}
<form method="post" action="/login">
${hidden({ ...opts.params, _csrf: opts.csrf })}
<label for="username">Username or email</label>
<input type="text" id="username" name="username" autocomplete="username" required value="${escapeHtml(opts.username ?? '')}"${described}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${described}>
<div class="buttons">
<button type="submit">Sign in</button>
<button type="submit" name="cancel" value="1" formnovalidate>Cancel</button>
</div>
</form>`,
    opts.lang,
  );
}

const MFA_TEXT: Record<string, { label: string; hint: (destination: string) => string }> = {
  SOFTWARE_TOKEN_MFA: {
    label: 'Code from your authenticator app',
    hint: () => 'Enter the 6-digit code your authenticator app shows.',
  },
  SMS_MFA: { label: 'Code sent by SMS', hint: (d) => `We sent a code to ${d}.` },
  EMAIL_OTP: { label: 'Code sent by email', hint: (d) => `We sent a code to ${d}.` },
};

/** The second step: a code for SOFTWARE_TOKEN_MFA, SMS_MFA or EMAIL_OTP, or the choice of SELECT_MFA_TYPE. */
export function mfaPage(opts: {
  params: Record<string, string>;
  csrf: string;
  session: string;
  challengeName: string;
  username: string;
  destination?: string | undefined;
  choices?: string[] | undefined;
  error?: string | undefined;
  lang?: string | undefined;
}): string {
  const fields = hidden({
    ...opts.params,
    _csrf: opts.csrf,
    mfa_session: opts.session,
    mfa_challenge: opts.challengeName,
    mfa_username: opts.username,
  });
  const described = opts.error === undefined ? '' : ' aria-describedby="form-error"';
  if (opts.challengeName === 'SELECT_MFA_TYPE') {
    const choices = (opts.choices ?? [])
      .map(
        (c, i) =>
          `<label><input type="radio" name="answer" value="${escapeHtml(c)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(MFA_TEXT[c]?.label ?? c)}</label>`,
      )
      .join('\n');
    return layout(
      'Choose a sign-in method',
      `<h1>Choose how to verify</h1>
${errorBlock(opts.error)}
<form method="post" action="/login">
${fields}
<fieldset><legend>Verification method</legend>
${choices}
</fieldset>
<div class="buttons"><button type="submit">Continue</button></div>
</form>`,
      opts.lang,
    );
  }
  const text = MFA_TEXT[opts.challengeName] ?? MFA_TEXT.SOFTWARE_TOKEN_MFA!;
  return layout(
    'Verify',
    `<h1>Verify it's you</h1>
${errorBlock(opts.error)}
<p>${escapeHtml(text.hint(opts.destination ?? 'you'))}</p>
<form method="post" action="/login">
${fields}
<label for="code">${escapeHtml(text.label)}</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]*" required${described}>
<div class="buttons"><button type="submit">Verify</button></div>
</form>`,
    opts.lang,
  );
}

/** An error page: shown instead of redirecting when the request names no client or redirect URI we trust. */
export function errorPage(title: string, message: string): string {
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>\n<p class="error" role="alert">${escapeHtml(message)}</p>`,
  );
}
