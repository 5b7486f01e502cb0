import { createHash } from 'node:crypto';
import { html, SafeHtml } from './template';

/**
 * The frame of every HTML page the service serves (sign-in, consent, errors), and the security headers that go
 * with it. Pages load nothing from anywhere: the only style sheet is inline and allowed by its hash, and there
 * is no script at all.
 */
const STYLE = `
*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:#111827;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:28rem;margin:3rem auto;padding:2rem;background:#fff;border:1px solid #e5e7eb;border-radius:.5rem}
h1{margin:0 0 1rem;font-size:1.375rem;line-height:1.3}
p{margin:0 0 1rem}
.muted{color:#4b5563;font-size:.875rem}
.service{margin:0 0 1.5rem;color:#4b5563;font-size:.8125rem;letter-spacing:.04em;text-transform:uppercase}
label{display:block;margin:0 0 .25rem;font-weight:600}
input[type=email],input[type=password]{display:block;width:100%;margin:0 0 1rem;padding:.5rem .75rem;border:1px solid #9ca3af;border-radius:.375rem;font:inherit}
input:focus,button:focus{outline:2px solid #1d4ed8;outline-offset:2px}
button{padding:.5rem 1.25rem;border:1px solid #1d4ed8;border-radius:.375rem;background:#1d4ed8;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button.secondary{background:#fff;color:#1f2937;border-color:#9ca3af}
.actions{display:flex;gap:.75rem;margin:1.5rem 0 1rem}
.alert{margin:0 0 1rem;padding:.75rem 1rem;border:1px solid #fca5a5;border-radius:.375rem;background:#fef2f2;color:#991b1b}
dl{margin:0 0 1rem}
dt{font-weight:600}
dd{margin:0 0 .75rem;overflow-wrap:anywhere}
ul{margin:0 0 1rem;padding-left:1.25rem}
`.trim();

const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

/** Static text, never built from input, so it is marked safe as it is. */
const STYLE_ELEMENT = new SafeHtml(`<style>${STYLE}</style>`);

/** The name shown at the top of every page. */
export const SERVICE_NAME = 'SCIM Provisioning Service';

export interface PageOptions {
  readonly title: string;
  readonly body: SafeHtml;
  /**
   * Origins the page's forms may submit to, or be redirected to after submitting, besides our own: the CSP
   * `form-action` directive also governs the redirect that follows a POST.
   */
  readonly formTargets?: readonly string[];
}

export interface RenderedPage {
  readonly html: string;
  readonly headers: Readonly<Record<string, string>>;
}

export function renderPage(options: PageOptions): RenderedPage {
  const document = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${options.title} – ${SERVICE_NAME}</title>
${STYLE_ELEMENT}
</head>
<body>
<main>
<p class="service">${SERVICE_NAME}</p>
${options.body}
</main>
</body>
</html>
`;
  return { html: document.value, headers: securityHeaders(options.formTargets) };
}

/**
 * Headers for every page: no framing (RFC 9700 §4.16, RFC 6749 §10.13), no referrer leaking the query to
 * whatever the page links to (RFC 9700 §4.2.4), never cached, nothing loaded from elsewhere.
 */
export function securityHeaders(formTargets: readonly string[] = []): Record<string, string> {
  const formAction = formTargets.length > 0 ? ["'self'", ...formTargets].join(' ') : "'self'";
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': [
      "default-src 'none'",
      `style-src '${STYLE_HASH}'`,
      `form-action ${formAction}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'Strict-Transport-Security': 'max-age=31536000',
  };
}

/** A page that says what went wrong and what to do; it has no form. */
export function errorPage(title: string, detail: string): PageOptions {
  return { title, body: html`<h1>${title}</h1>\n<p>${detail}</p>` };
}
