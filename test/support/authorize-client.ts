import { rememberSecret } from './secrets';

/**
 * A minimal scripted browser for the authorization pages: one cookie jar, no automatic redirects, and the
 * hidden fields of the page's form read back the way a browser would submit them. Used by the HTTP tests;
 * the real-browser test uses Chromium instead. Every secret it receives (cookies, the code in a redirect,
 * the CSRF token) is recorded for the end-of-run log scan.
 */
export interface PageResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  readonly location: string | null;
}

export class AuthorizeBrowser {
  readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  authorizeUrl(parameters: Record<string, string | readonly string[] | undefined>): string {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(parameters)) {
      if (value === undefined) continue;
      for (const single of typeof value === 'string' ? [value] : value) query.append(name, single);
    }
    return `${this.baseUrl}/oauth/authorize?${query.toString()}`;
  }

  async get(url: string): Promise<PageResponse> {
    return this.read(await fetch(url, { redirect: 'manual', headers: this.cookieHeader() }));
  }

  /** Posts a form as our pages do (same-origin, form-encoded), with extra headers when a test needs them. */
  async post(fields: Record<string, string | undefined>, headers: Record<string, string> = {}): Promise<PageResponse> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) body.append(name, value);
    const response = await fetch(`${this.baseUrl}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Origin: this.baseUrl,
        'Sec-Fetch-Site': 'same-origin',
        ...this.cookieHeader(),
        ...headers,
      },
      body: body.toString(),
    });
    return this.read(response);
  }

  private cookieHeader(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { Cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
  }

  private async read(response: Response): Promise<PageResponse> {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      if (/max-age=0/i.test(cookie)) this.cookies.delete(name);
      else {
        rememberSecret(value);
        this.cookies.set(name, value);
      }
    }
    const location = response.headers.get('location');
    rememberRedirectCode(location);
    return {
      status: response.status,
      headers: response.headers,
      body: await response.text(),
      location,
    };
  }
}

/** Records the authorization code a redirect carries (RFC 6749 §4.1.2), if any. */
export function rememberRedirectCode(location: string | null | undefined): void {
  if (!location) return;
  const code = new URL(location, 'http://relative.invalid').searchParams.get('code');
  if (code) rememberSecret(code);
}

/** Hidden inputs whose value is a secret. */
const SECRET_FIELDS = new Set(['csrf_token']);

/** The value of a hidden input of the page's form (recorded for the log scan when it is a secret). */
export function hiddenField(page: string, name: string): string {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(page);
  if (!match?.[1]) throw new Error(`no hidden field ${name} on the page`);
  if (SECRET_FIELDS.has(name)) rememberSecret(match[1]);
  return match[1];
}
