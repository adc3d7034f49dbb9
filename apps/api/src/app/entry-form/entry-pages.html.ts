import { ENTRY_FORM_FIELDS, type EntryFormField } from './entry-fields';
import { ENTRY_PATH } from './form-session';

/**
 * The server-rendered pages of the no-JavaScript entry form (issue 22): no script at all, one
 * same-origin stylesheet (large text), GOV.UK-style errors (a summary linking to each field, the
 * message again at the field, aria-invalid and aria-describedby), plain English throughout.
 */
export const ENTRY_PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function page(title: string, body: string, hasErrors: boolean): string {
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${hasErrors ? 'Error: ' : ''}${escapeHtml(title)} – Homeward</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ENTRY_PATH}/style.css">
</head>
<body>
<header><p class="service">Homeward virtual ward</p></header>
<main id="main">
${body}
</main>
</body>
</html>`;
}

function errorSummary(errors: Readonly<Record<string, string>>): string {
  const entries = Object.entries(errors);
  if (entries.length === 0) return '';
  const items = entries.map(([field, text]) => `<li>${field ? `<a href="#${escapeHtml(field)}">${escapeHtml(text)}</a>` : escapeHtml(text)}</li>`).join('\n');
  return `<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">There is a problem</h2>
<ul>
${items}
</ul>
</div>`;
}

export function signInPage(options: { readonly csrf: string; readonly email?: string; readonly error?: string }): string {
  const error = options.error ? `<div class="error-summary" role="alert" aria-labelledby="error-summary-title"><h2 id="error-summary-title">There is a problem</h2><p>${escapeHtml(options.error)}</p></div>` : '';
  return page(
    'Sign in to send your readings',
    `<h1>Sign in to send your readings</h1>
${error}
<p>Use the email address and password your ward gave you.</p>
<form method="post" action="${ENTRY_PATH}/sign-in" novalidate>
<input type="hidden" name="csrf" value="${escapeHtml(options.csrf)}">
<div class="field">
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="username" spellcheck="false" value="${escapeHtml(options.email ?? '')}">
</div>
<div class="field">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
</div>
<button type="submit">Sign in</button>
</form>`,
    Boolean(options.error),
  );
}

function field(f: EntryFormField, value: string, error: string | undefined): string {
  const hint = `${f.name}-hint`;
  const errorId = `${f.name}-error`;
  return `<div class="field${error ? ' field-with-error' : ''}">
<label for="${f.name}">${escapeHtml(f.label)}</label>
<p class="hint" id="${hint}">${escapeHtml(f.how)}</p>
${error ? `<p class="field-error" id="${errorId}"><span class="visually-hidden">Error:</span> ${escapeHtml(error)}</p>` : ''}
<input id="${f.name}" name="${f.name}" type="text" inputmode="decimal" autocomplete="off" class="number" value="${escapeHtml(value)}" aria-describedby="${hint}${error ? ` ${errorId}` : ''}"${error ? ' aria-invalid="true"' : ''}>
</div>`;
}

export interface ReadingsPageOptions {
  readonly name: string;
  readonly csrf: string;
  readonly signOutCsrf: string;
  readonly values?: Readonly<Record<string, string>>;
  readonly errors?: Readonly<Record<string, string>>;
  /** "Saved: Oxygen level 88 %." after a submission. */
  readonly saved?: string;
  /** The ward's advice when a reading is in the red band. */
  readonly advice?: string;
}

export function readingsPage(options: ReadingsPageOptions): string {
  const errors = options.errors ?? {};
  const advice = options.advice
    ? `<div class="advice" role="alert" aria-labelledby="advice-title"><h2 id="advice-title">Urgent advice</h2><p>${escapeHtml(options.advice)}</p></div>`
    : '';
  const saved = options.saved ? `<div class="saved" role="status"><h2>Your readings were sent</h2><p>${escapeHtml(options.saved)}</p></div>` : '';
  return page(
    'Send your readings',
    `${advice}${saved}
<h1>Send your readings</h1>
<p>Signed in as ${escapeHtml(options.name)}.</p>
${errorSummary(errors)}
<p>Fill in the readings you have just taken. Leave the others empty.</p>
<form method="post" action="${ENTRY_PATH}/readings" novalidate>
<input type="hidden" name="csrf" value="${escapeHtml(options.csrf)}">
${ENTRY_FORM_FIELDS.map((f) => field(f, options.values?.[f.name] ?? '', errors[f.name])).join('\n')}
<button type="submit">Send readings</button>
</form>
<p class="help">If you feel very unwell, call 999. For advice that cannot wait, call your ward or NHS 111.</p>
<form method="post" action="${ENTRY_PATH}/sign-out" class="sign-out">
<input type="hidden" name="csrf" value="${escapeHtml(options.signOutCsrf)}">
<button type="submit" class="secondary">Sign out</button>
</form>`,
    Object.keys(errors).length > 0,
  );
}

export function messagePage(title: string, message: string, link: { readonly href: string; readonly text: string }): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>\n<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>`, false);
}

/** Large text (at least 19 px, 24 px on wider screens), strong focus, high contrast (GOV.UK colours). */
export const ENTRY_STYLESHEET = `*{box-sizing:border-box}
html{font-size:100%}
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;font-size:1.1875rem;line-height:1.5;color:#0b0c0c;background:#fff;margin:0}
@media (min-width:40rem){body{font-size:1.5rem}}
header{background:#005eb8;color:#fff;padding:0.5rem 1rem}
header .service{margin:0;font-weight:700}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:2em;line-height:1.2;margin:0.5em 0}
h2{font-size:1.3em;margin:0.3em 0}
label{display:block;font-weight:700;margin-bottom:0.25rem}
.field{margin:0 0 1.5rem}
.hint{color:#505a5f;margin:0 0 0.4rem}
input{font:inherit;font-size:1.2em;padding:0.3rem 0.5rem;border:2px solid #0b0c0c;width:100%;max-width:20rem;min-height:2.6rem}
input.number{max-width:9rem}
input:focus,button:focus,a:focus{outline:4px solid #ffdd00;outline-offset:0;box-shadow:0 0 0 2px #0b0c0c}
button{font:inherit;font-weight:700;background:#00703c;color:#fff;border:0;box-shadow:0 2px 0 #002d18;padding:0.5rem 1rem;min-height:2.75rem;cursor:pointer}
button.secondary{background:#f3f2f1;color:#0b0c0c;box-shadow:0 2px 0 #929191}
a{color:#1d70b8}
.error-summary{border:5px solid #d4351c;padding:1rem;margin:0 0 1.5rem}
.error-summary a{color:#d4351c;font-weight:700}
.field-with-error{border-left:5px solid #d4351c;padding-left:0.75rem}
.field-with-error input{border-color:#d4351c}
.field-error{color:#d4351c;font-weight:700;margin:0 0 0.4rem}
.advice{border:5px solid #d4351c;background:#fff;padding:1rem;margin:1rem 0}
.advice h2{color:#d4351c}
.saved{border:5px solid #00703c;padding:1rem;margin:1rem 0}
.help{margin-top:2rem}
.sign-out{margin-top:1.5rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;
