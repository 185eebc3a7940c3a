// The hosted UI's HTML: sign-in form, MFA code form, error page. Every value escaped; no script; inline style only.

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page texts in the languages the emulator speaks; `lang` (as the authorize request gives it) picks one. */
const TEXTS = {
  en: {
    signIn: 'Sign in',
    username: 'Username or email',
    password: 'Password',
    cancel: 'Cancel',
    chooseTitle: 'Choose a sign-in method',
    chooseHeading: 'Choose how to verify',
    method: 'Verification method',
    continue: 'Continue',
    verifyTitle: 'Verify',
    verifyHeading: "Verify it's you",
    verify: 'Verify',
    totpLabel: 'Code from your authenticator app',
    totpHint: 'Enter the 6-digit code your authenticator app shows.',
    smsLabel: 'Code sent by SMS',
    emailLabel: 'Code sent by email',
    sentTo: (d: string) => `We sent a code to ${d}.`,
    you: 'you',
    note: 'Local Cognito emulator (hosted UI)',
    expired: 'Your sign-in form expired. Please try again.',
    wrongCode: 'Incorrect code. Please try again.',
    setUpFirst: 'This account must set up two-step verification first; sign in through the app to do that.',
  },
  de: {
    signIn: 'Anmelden',
    username: 'Benutzername oder E-Mail-Adresse',
    password: 'Passwort',
    cancel: 'Abbrechen',
    chooseTitle: 'Anmeldemethode wählen',
    chooseHeading: 'Wie möchten Sie sich bestätigen?',
    method: 'Bestätigungsmethode',
    continue: 'Weiter',
    verifyTitle: 'Bestätigen',
    verifyHeading: 'Bestätigen Sie, dass Sie es sind',
    verify: 'Bestätigen',
    totpLabel: 'Code aus Ihrer Authenticator-App',
    totpHint: 'Geben Sie den 6-stelligen Code ein, den Ihre Authenticator-App zeigt.',
    smsLabel: 'Code per SMS',
    emailLabel: 'Code per E-Mail',
    sentTo: (d: string) => `Wir haben einen Code an ${d} gesendet.`,
    you: 'Sie',
    note: 'Lokaler Cognito-Emulator (gehostete Anmeldung)',
    expired: 'Ihr Anmeldeformular ist abgelaufen. Bitte versuchen Sie es erneut.',
    wrongCode: 'Der Code ist falsch. Bitte versuchen Sie es erneut.',
    setUpFirst:
      'Dieses Konto muss zuerst die Bestätigung in zwei Schritten einrichten; melden Sie sich dafür über die App an.',
  },
} as const;

export type HostedTexts = (typeof TEXTS)['en'];

/** The texts for `lang` (`de`, `de-DE`, ...); English for anything else. */
export function textsFor(lang: string | undefined): { code: 'en' | 'de'; text: HostedTexts } {
  const code = lang?.toLowerCase().startsWith('de') ? 'de' : 'en';
  return { code, text: TEXTS[code] as HostedTexts };
}

/** Headers of every hosted-UI page. */
export const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function layout(title: string, body: string, lang?: string): string {
  const { code, text } = textsFor(lang);
  return `<!doctype html>
<html lang="${code}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - Local Cognito</title>
<style>
:root { color-scheme: light dark; --brand: #2f5bd3; --bg: #f4f6fb; --surface: #fff; --text: #1b2130; --muted: #4d5668; --border: #c9cfdb; --error: #b3261e; --error-bg: #fdecea; }
@media (prefers-color-scheme: dark) { :root { --bg: #0f131c; --surface: #1a2030; --text: #e9edf5; --muted: #b5bdcc; --border: #48516a; --error: #ffb4ab; --error-bg: #3a1714; } }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 0; color: var(--text); background: var(--bg); line-height: 1.5; }
main { max-width: 26rem; margin: 3rem auto; background: var(--surface); padding: 2rem; border-radius: 10px; border: 1px solid var(--border); }
h1 { font-size: 1.6rem; margin: 0 0 1rem; }
label { display: block; margin-top: 1rem; font-weight: 600; }
fieldset { border: 0; padding: 0; margin: 1rem 0 0; } legend { font-weight: 600; } fieldset label { font-weight: 400; margin-top: .5rem; }
input[type=text], input[type=email], input[type=password] { width: 100%; box-sizing: border-box; padding: .65rem .75rem; margin-top: .35rem; font: inherit; color: inherit; background: var(--surface); border: 2px solid var(--border); border-radius: 6px; }
input:focus, button:focus { outline: 3px solid #ffbf47; outline-offset: 1px; }
.buttons { margin-top: 1.5rem; display: flex; gap: .75rem; flex-wrap: wrap; }
button { padding: .7rem 1.4rem; font: inherit; font-weight: 600; cursor: pointer; border-radius: 6px; border: 2px solid var(--brand); background: var(--brand); color: #fff; }
button[name=cancel] { background: transparent; color: var(--text); border-color: var(--border); }
.error { color: var(--error); background: var(--error-bg); padding: .6rem .9rem; border-radius: 6px; border-left: 4px solid var(--error); }
.note { color: var(--muted); font-size: .9rem; margin: 1.5rem 0 0; }
</style>
</head>
<body>
<main>
${body}
<p class="note">${escapeHtml(text.note)}</p>
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
  const { text } = textsFor(opts.lang);
  return layout(
    text.signIn,
    `<h1>${escapeHtml(text.signIn)}</h1>
${errorBlock(opts.error)}
<form method="post" action="/login">
${hidden({ ...opts.params, _csrf: opts.csrf })}
<label for="username">${escapeHtml(text.username)}</label>
<input type="text" id="username" name="username" autocomplete="username" required autofocus value="${escapeHtml(opts.username ?? '')}"${described}>
<label for="password">${escapeHtml(text.password)}</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${described}>
<div class="buttons">
<button type="submit">${escapeHtml(text.signIn)}</button>
<button type="submit" name="cancel" value="1" formnovalidate>${escapeHtml(text.cancel)}</button>
</div>
</form>`,
    opts.lang,
  );
}

/** The label and hint of each code challenge, in the page's language. */
function mfaText(
  challenge: string,
  text: HostedTexts,
): { label: string; hint: (destination: string) => string } {
  if (challenge === 'SMS_MFA') return { label: text.smsLabel, hint: text.sentTo };
  if (challenge === 'EMAIL_OTP') return { label: text.emailLabel, hint: text.sentTo };
  return { label: text.totpLabel, hint: () => text.totpHint };
}

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
  const { text } = textsFor(opts.lang);
  if (opts.challengeName === 'SELECT_MFA_TYPE') {
    const choices = (opts.choices ?? [])
      .map(
        (c, i) =>
          `<label><input type="radio" name="answer" value="${escapeHtml(c)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(mfaText(c, text).label)}</label>`,
      )
      .join('\n');
    return layout(
      text.chooseTitle,
      `<h1>${escapeHtml(text.chooseHeading)}</h1>
${errorBlock(opts.error)}
<form method="post" action="/login">
${fields}
<fieldset><legend>${escapeHtml(text.method)}</legend>
${choices}
</fieldset>
<div class="buttons"><button type="submit">${escapeHtml(text.continue)}</button></div>
</form>`,
      opts.lang,
    );
  }
  const challenge = mfaText(opts.challengeName, text);
  return layout(
    text.verifyTitle,
    `<h1>${escapeHtml(text.verifyHeading)}</h1>
${errorBlock(opts.error)}
<p>${escapeHtml(challenge.hint(opts.destination ?? text.you))}</p>
<form method="post" action="/login">
${fields}
<label for="code">${escapeHtml(challenge.label)}</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]*" required autofocus${described}>
<div class="buttons"><button type="submit">${escapeHtml(text.verify)}</button></div>
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
