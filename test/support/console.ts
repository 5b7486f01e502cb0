import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import {
  type APIResponse,
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';
import { rememberSecret } from './secrets';

/**
 * The admin console in a real browser: Debian's Chromium driven by Playwright, as the console tests and the
 * screenshots for docs/console.md use it. Every navigation off the machine is answered inside the browser
 * (Okta's callback) or refused, so nothing leaves the machine.
 */
/**
 * Where the console tests put their screenshots: .local/screenshots/, so a test run changes no committed file,
 * or docs/images/ (for docs/console.md) with UPDATE_SCREENSHOTS=1.
 */
export const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? join(__dirname, '..', '..', 'docs', 'images')
  : join(__dirname, '..', '..', '.local', 'screenshots');

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });

/** A fresh browser context whose requests to any host but localhost are refused. */
export async function localContext(browser: Browser, options: { viewport?: { width: number; height: number } } = {}) {
  const context = await browser.newContext(options.viewport ? { viewport: options.viewport } : {});
  await context.route(
    (url) => url.hostname !== 'localhost',
    (route) => route.abort(),
  );
  return context;
}

export interface ConsoleAccount {
  readonly tenantId: string;
  readonly email: string;
  readonly password: string;
}

/**
 * Signs in on the console's sign-in page as an admin does, typing the organization ID, email and password,
 * and waits for the first page of the signed-in console. The session cookie is recorded for the log scan.
 */
export async function signInToConsole(page: Page, baseUrl: string, account: ConsoleAccount): Promise<void> {
  await page.goto(`${baseUrl}/console/sign-in`);
  await fillSignIn(page, account);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await rememberCookies(page.context());
}

/** Fills and sends the sign-in form, without waiting for where it leads. */
export async function fillSignIn(page: Page, account: ConsoleAccount): Promise<void> {
  await page.getByLabel('Organization ID').fill(account.tenantId);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  const answered = page.waitForResponse(
    (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/console/sign-in',
  );
  await page.getByRole('button', { name: 'Sign in' }).click();
  await answered;
  await page.waitForLoadState('load');
}

export async function rememberCookies(context: BrowserContext): Promise<void> {
  for (const cookie of await context.cookies()) if (cookie.value) rememberSecret(cookie.value);
}

/** The serious and critical axe-core violations of the page as it is now (WCAG 2.1 A and AA rules). */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target).join(', ')})`,
    );
}

/**
 * Okta's side of a connection, in the browser: opens the authorization URL in a new page of `context`, signs
 * in and approves on the consent page, and returns the callback URL the browser was sent to. The callback host
 * is answered inside the browser, so nothing leaves the machine; the code it carries is recorded for the log scan.
 */
export async function approveInBrowser(
  context: BrowserContext,
  authorizationUrl: string,
  account: Pick<ConsoleAccount, 'email' | 'password'>,
): Promise<URL> {
  const callbackOrigin = new URL(new URL(authorizationUrl).searchParams.get('redirect_uri') as string).origin;
  const callback = new Promise<URL>((resolve) => {
    void context.route(`${callbackOrigin}/**`, async (route) => {
      resolve(new URL(route.request().url()));
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'Callback (answered by the test)' });
    });
  });
  const page = await context.newPage();
  await page.goto(authorizationUrl);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  const url = await callback;
  const code = url.searchParams.get('code');
  if (code) rememberSecret(code);
  await page.close();
  return url;
}

/** The console sign-in of a test tenant's admin. */
export const consoleAccount = (fixture: {
  readonly tenantId: string;
  readonly adminEmail: string;
  readonly adminPassword: string;
}): ConsoleAccount => ({ tenantId: fixture.tenantId, email: fixture.adminEmail, password: fixture.adminPassword });

/** The CSRF token of the last form on the page, for posts a test makes outside the forms. */
export const csrfTokenOf = (page: Page, field: string): Promise<string> =>
  page.locator(`form[method=post] input[name=${field}]`).last().inputValue();

/** The CSRF token of the session's forms, read from the page the browser shows (for posts made by hand). */
export const consoleFormToken = (page: Page): Promise<string> => csrfTokenOf(page, 'csrf_token');

/** The rows of the page's tables, each as one line of text. */
export const tableRows = async (page: Page): Promise<string[]> =>
  (await page.locator('tbody tr').allInnerTexts()).map((text) => text.replace(/\s+/g, ' '));

/**
 * Clicks the submit button of a form and returns what the browser posted, so that a test can send the same
 * form again as a double click, Back and resend, or a second tab does.
 */
export async function submitCapturing(
  page: Page,
  button: Locator,
): Promise<{ readonly url: string; readonly body: string; readonly status: number }> {
  const sent = page.waitForRequest((request) => request.method() === 'POST');
  await button.click();
  const request = await sent;
  const status = (await request.response())?.status() ?? 0;
  await page.waitForLoadState('load');
  return { url: request.url(), body: request.postData() ?? '', status };
}

/** Sends a form body the browser posted once again, in the page's session, without following the redirect. */
export const postAgain = (page: Page, sent: { readonly url: string; readonly body: string }): Promise<APIResponse> =>
  page.request.post(sent.url, {
    data: sent.body,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: new URL(sent.url).origin },
    maxRedirects: 0,
  });

/**
 * From now on, makes every post of the page to the captured form's URL send the captured body instead, so that
 * the page the browser shows for a resubmitted form can be checked (and run through axe) like any other.
 */
export async function resendOnNextSubmit(page: Page, sent: { readonly url: string; readonly body: string }) {
  await page.route(sent.url, (route) =>
    route.request().method() === 'POST' ? route.continue({ postData: sent.body }) : route.continue(),
  );
}
