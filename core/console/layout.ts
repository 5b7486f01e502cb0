import { type RoutePath, routeById } from '../../contract/routes';
import { type PageOptions, type PageScript, SERVICE_NAME } from '../html/page';
import { html, type SafeHtml, safeUrl } from '../html/template';
import { CSRF_FIELD } from './csrf';

/**
 * The console's one look: the frame of the consent pages (core/html/page.ts), wide, with a bar that names
 * the organization, links the console's sections and offers Sign out. Every link and form action is the
 * public base URL plus a manifest path, so the pages work under an API Gateway stage prefix too.
 */

/**
 * The console's sections, in the order the bar shows them. A section is linked once its route is in the
 * manifest, so a page is never linked before it exists.
 */
export const CONSOLE_SECTIONS: readonly { readonly label: string; readonly routeId: string }[] = [
  { label: 'Applications', routeId: 'ConsoleApplications' },
  { label: 'Users', routeId: 'ConsoleUsers' },
  { label: 'Brands', routeId: 'ConsoleBrands' },
  { label: 'Roles', routeId: 'ConsoleRoles' },
  { label: 'Groups', routeId: 'ConsoleGroups' },
  { label: 'Activity', routeId: 'ConsoleActivity' },
];

/** The first section of the console that exists: where sign-in and the console's own address lead. */
export function firstSectionUrl(issuer: string): string {
  for (const { routeId } of CONSOLE_SECTIONS) {
    const route = routeById(routeId);
    if (route) return consoleUrl(issuer, route.path);
  }
  throw new Error('The route manifest has no console section');
}

/** The signed-in admin as every page and action of the console sees them. */
export interface ConsoleAdmin {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly userId: string;
  readonly email: string;
  /** The token every form of this session carries (core/console/csrf.ts). */
  readonly csrfToken: string;
}

/** A console URL: the public base URL and a manifest path, its `{param}` segments filled in and encoded. */
export function consoleUrl(issuer: string, path: RoutePath, params: Readonly<Record<string, string>> = {}): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`No value for {${name}} in ${path}`);
    return encodeURIComponent(value);
  });
  return `${issuer}${filled}`;
}

/** The hidden field with the session's CSRF token, for every form. */
export const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;

export interface ConsolePageInput {
  readonly title: string;
  readonly body: SafeHtml;
  /** The section this page belongs to (its `aria-current`). */
  readonly section?: string;
  readonly script?: PageScript;
}

/** A page of the signed-in console. */
export function consolePage(issuer: string, admin: ConsoleAdmin, input: ConsolePageInput): PageOptions {
  const links = CONSOLE_SECTIONS.flatMap(({ label, routeId }) => {
    const route = routeById(routeId);
    if (!route) return [];
    const href = safeUrl(consoleUrl(issuer, route.path));
    return [
      input.section === label
        ? html`<li><a href="${href}" aria-current="page">${label}</a></li>`
        : html`<li><a href="${href}">${label}</a></li>`,
    ];
  });
  const signOut = routeById('ConsoleSignOut');
  const header = html`<header class="topbar">
<p class="service">${SERVICE_NAME} · ${admin.tenantName}</p>
<nav aria-label="Console"><ul>${links}</ul></nav>
<div class="account"><span>${admin.email}</span>${
    signOut
      ? html`<form method="post" action="${safeUrl(consoleUrl(issuer, signOut.path))}">${csrfField(admin.csrfToken)}<button type="submit" class="secondary">Sign out</button></form>`
      : undefined
  }</div>
</header>`;
  return {
    title: input.title,
    body: input.body,
    wide: true,
    header,
    ...(input.script ? { script: input.script } : {}),
  };
}

/** A page of the console before sign-in (the sign-in page itself): the narrow card of the consent pages. */
export function signedOutPage(title: string, body: SafeHtml): PageOptions {
  return { title, body };
}

export const alertBox = (alert: string | undefined): SafeHtml | undefined =>
  alert === undefined ? undefined : html`<p class="alert" role="alert">${alert}</p>`;

export const noticeBox = (notice: string | undefined): SafeHtml | undefined =>
  notice === undefined ? undefined : html`<p class="notice" role="status">${notice}</p>`;
