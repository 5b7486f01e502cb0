import { createHash } from 'node:crypto';
import { html, SafeHtml } from './template';

/**
 * The frame of every HTML page the service serves (sign-in, consent, errors), and the security headers that go
 * with it. Pages load nothing from anywhere: the only style sheet is inline and allowed by its hash, and the
 * only scripts are a page's own fixed progressive enhancement, allowed by their hash; every page works without.
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
input:focus,textarea:focus,button:focus{outline:2px solid #1d4ed8;outline-offset:2px}
button{padding:.5rem 1.25rem;border:1px solid #1d4ed8;border-radius:.375rem;background:#1d4ed8;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button.secondary{background:#fff;color:#1f2937;border-color:#9ca3af}
.actions{display:flex;gap:.75rem;margin:1.5rem 0 1rem}
.alert{margin:0 0 1rem;padding:.75rem 1rem;border:1px solid #fca5a5;border-radius:.375rem;background:#fef2f2;color:#991b1b}
dl{margin:0 0 1rem}
dt{font-weight:600}
dd{margin:0 0 .75rem;overflow-wrap:anywhere}
ul{margin:0 0 1rem;padding-left:1.25rem}
main.wide{max-width:60rem;margin:1.5rem auto}
input[type=text],input[type=url],textarea{display:block;width:100%;margin:0 0 .25rem;padding:.5rem .75rem;border:1px solid #9ca3af;border-radius:.375rem;font:inherit}
.field{margin:0 0 1rem}
.check{display:flex;gap:.5rem;align-items:flex-start;font-weight:600}
.check input{margin-top:.35rem}
.help{margin:.25rem 0 1rem;color:#4b5563;font-size:.875rem}
a{color:#1d4ed8}
a:focus{outline:2px solid #1d4ed8;outline-offset:2px}
a.button{display:inline-block;padding:.5rem 1.25rem;border:1px solid #1d4ed8;border-radius:.375rem;background:#1d4ed8;color:#fff;font-weight:600;text-decoration:none}
.topbar{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;margin:0 0 1.5rem;padding:0 0 1rem;border-bottom:1px solid #e5e7eb}
.topbar .service{margin:0}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0;list-style:none}
nav a[aria-current=page]{font-weight:700;text-decoration:none;color:#111827}
.account{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;font-size:.875rem;color:#4b5563}
.account form{margin:0}
.account button{padding:.25rem .75rem}
.notice{margin:0 0 1rem;padding:.75rem 1rem;border:1px solid #93c5fd;border-radius:.375rem;background:#eff6ff;color:#1e3a8a}
.warning{margin:0 0 1rem;padding:.75rem 1rem;border:1px solid #f59e0b;border-radius:.375rem;background:#fffbeb;color:#78350f}
.table-wrap{overflow-x:auto;margin:0 0 1rem}
table{width:100%;border-collapse:collapse;font-size:.9375rem}
th,td{padding:.5rem .75rem;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{font-weight:600;background:#f9fafb}
code,.value{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.875rem;overflow-wrap:anywhere}
.copy{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.copy button{padding:.125rem .625rem;font-size:.875rem}
.danger{background:#b91c1c;border-color:#b91c1c}
section{margin:0 0 2rem}
h2{margin:0 0 .75rem;font-size:1.125rem}
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
  /** A wide page (tables, the admin console) rather than the narrow card of the sign-in and consent pages. */
  readonly wide?: boolean;
  /** Shown above the page's own content inside the frame: the console's navigation bar. */
  readonly header?: SafeHtml;
  /**
   * A static script for progressive enhancement (e.g. copy buttons), allowed by its hash alone; every page
   * works without it. Never built from input.
   */
  readonly script?: PageScript;
}

/** A script whose source is fixed in the code; the CSP allows exactly this text by its SHA-256. */
export class PageScript {
  readonly hash: string;
  constructor(readonly source: string) {
    this.hash = `sha256-${createHash('sha256').update(source).digest('base64')}`;
  }
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
${new SafeHtml(options.wide ? '<main class="wide">' : '<main>')}
${options.header ?? new SafeHtml(`<p class="service">${SERVICE_NAME}</p>`)}
${options.body}
</main>${options.script ? new SafeHtml(`\n<script>${options.script.source}</script>`) : ''}
</body>
</html>
`;
  return { html: document.value, headers: securityHeaders(options.formTargets, options.script) };
}

/**
 * Headers for every page: no framing (RFC 9700 §4.16, RFC 6749 §10.13), no referrer leaking the query to
 * whatever the page links to (RFC 9700 §4.2.4), never cached, nothing loaded from elsewhere.
 */
export function securityHeaders(formTargets: readonly string[] = [], script?: PageScript): Record<string, string> {
  const formAction = formTargets.length > 0 ? ["'self'", ...formTargets].join(' ') : "'self'";
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': [
      "default-src 'none'",
      `style-src '${STYLE_HASH}'`,
      ...(script ? [`script-src '${script.hash}'`] : []),
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
