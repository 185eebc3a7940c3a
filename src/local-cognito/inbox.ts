// The "sent" messages as a small HTML page for people (`GET /_local/inbox`).
import type { SentMessage } from './state.ts';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** An escaped, readable page listing `messages`, newest first. */
export function renderInbox(messages: readonly SentMessage[]): string {
  const rows = [...messages]
    .reverse()
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.sentAt)}</td><td>${escapeHtml(m.kind)}</td><td>${escapeHtml(m.to)}</td>` +
        `<td><code>${escapeHtml(m.code)}</code></td><td>${escapeHtml(m.username)}</td></tr>`,
    )
    .join('\n');
  const body = messages.length
    ? `<table><thead><tr><th>Sent</th><th>Kind</th><th>To</th><th>Code</th><th>Username</th></tr></thead>\n<tbody>\n${rows}\n</tbody></table>`
    : '<p>No messages yet.</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Local Cognito inbox</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 0.4rem 0.8rem; border-bottom: 1px solid #ddd; }
code { font-size: 1.2em; letter-spacing: 0.1em; }
</style>
</head>
<body>
<h1>Local Cognito inbox</h1>
<p>Emails and SMS the local Cognito emulator would have sent, newest first. Reload to see new ones.</p>
${body}
</body>
</html>
`;
}
