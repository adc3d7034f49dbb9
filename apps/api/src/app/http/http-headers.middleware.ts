import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Headers every answer of the API carries (issue 17, "Headers"), set before any route runs so a new
 * endpoint cannot forget them; a handler that knows better (the dashboard's static files, which
 * hold no patient data, are `no-cache`) sets its own.
 * - `Cache-Control: no-store`: answers carry patient data behind a bearer token; no browser or
 *   proxy cache may keep them (a shared ward PC, a back button after sign-out).
 * - `Referrer-Policy: no-referrer`: a URL names a patient or an alert; it must not leak to a link's target.
 * - `X-Content-Type-Options: nosniff`: JSON is never run as script.
 * - `Strict-Transport-Security` only when this process serves HTTPS itself (a TLS proxy in front
 *   sets its own); a year, subdomains included, as the NCSC's guidance for public services asks.
 * Express's `X-Powered-By` is switched off where the app is built (`disableXPoweredBy`).
 */
export function httpHeadersMiddleware(options: { readonly https: boolean }): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  return (_request, response, next) => {
    response.setHeader('cache-control', 'no-store');
    response.setHeader('referrer-policy', 'no-referrer');
    response.setHeader('x-content-type-options', 'nosniff');
    if (options.https) response.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
    next();
  };
}

/** Paths that belong to the API (JSON or FHIR answers, the OpenAPI page, probes, metrics, the dashboard's files, the no-JavaScript entry form). */
const API_PATHS = /^\/(?:api|fhir|health|metrics|assets|enter)(?:\/|$)/;

/**
 * A person who follows a stale link or mistypes an address in the browser gets a page with a way
 * back, not the API's JSON 404. Only for a GET that asks for HTML and names no API path (the
 * dashboard's own pages are served before this and route themselves in the browser).
 */
export function htmlNotFoundMiddleware(): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  return (request, response, next) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const wantsHtml = /\btext\/html\b/.test(String(request.headers.accept ?? ''));
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !wantsHtml || API_PATHS.test(path)) return next();
    response.writeHead(404, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    });
    response.end(request.method === 'HEAD' ? undefined : NOT_FOUND_PAGE);
  };
}

const NOT_FOUND_PAGE = `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Page not found – Homeward</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#0b0c0c}a{color:#1d70b8}a:focus{outline:3px solid #fd0;background:#fd0;color:#0b0c0c}</style>
</head>
<body>
<main>
<h1>Page not found</h1>
<p>There is no page at this address. If you typed it, check it is correct; if you followed a link, it may be out of date.</p>
<p><a href="/">Go to the worklist</a></p>
</main>
</body>
</html>
`;
