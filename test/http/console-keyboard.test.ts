import type { Browser, Page } from 'playwright-core';
import { consoleAccount, launchChromium, localContext } from '../support/console';
import { type RunningService, startService, useLocalEnvironment } from '../support/local-service';
import { type OAuthFixture, oauthFixture } from '../support/oauth';

/**
 * The console with the keyboard alone, in Chromium: every step of the guide's Step 1 (sign in, open
 * Applications, Create new OAuth application, fill it, check Confidential, Create) is reached with Tab and
 * done with typing, Space and Enter, and the focused control is always visibly outlined.
 */
let service: RunningService;
let baseUrl: string;
let acme: OAuthFixture;
let browser: Browser;
jest.setTimeout(180_000);

beforeAll(async () => {
  service = await startService();
  baseUrl = service.baseUrl.replace('127.0.0.1', 'localhost');
  useLocalEnvironment(baseUrl);
  acme = await oauthFixture({ tenantName: 'Keyboard Corporation' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await service?.close();
});

/**
 * What the focused element is: its label's, its own or its text's accessible name, and its outline. Evaluated
 * in the page as text, since the project's TypeScript has no DOM types.
 */
const FOCUSED = `(() => {
  const element = document.activeElement;
  if (!element || element === document.body) return { name: '', outline: 'none' };
  const labelled = (element.labels && element.labels[0] && element.labels[0].textContent) || '';
  const style = getComputedStyle(element);
  return {
    name: (labelled || element.getAttribute('aria-label') || element.textContent || '').trim(),
    outline: style.outlineStyle === 'none' || style.outlineWidth === '0px' ? 'none' : style.outlineStyle,
  };
})()`;
const focused = (page: Page): Promise<{ name: string; outline: string }> => page.evaluate(FOCUSED);

/** Presses Tab until the focused element's name is `name` (at most 60 times), and checks it is outlined. */
async function tabTo(page: Page, name: string): Promise<void> {
  const seen: string[] = [];
  for (let presses = 0; presses < 60; presses += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    seen.push(now.name);
    if (now.name === name) {
      expect({ name, outline: now.outline }).not.toEqual({ name, outline: 'none' });
      return;
    }
  }
  throw new Error(`"${name}" is not reached with Tab; focus went through: ${seen.join(' | ')}`);
}

/**
 * Presses Enter and waits for the page it loads at `pathname` (which may be the page already shown): until the
 * new document is committed, then loaded, so that nothing is read from the page being left.
 */
async function enterTo(page: Page, pathname: string): Promise<void> {
  const committed = page.waitForEvent(
    'framenavigated',
    (frame) => frame === page.mainFrame() && new URL(frame.url()).pathname === pathname,
  );
  await page.keyboard.press('Enter');
  await committed;
  await page.waitForLoadState('load');
}

test('the guide’s Step 1 with the keyboard alone: sign in, create the OAuth application, see its secret', async () => {
  const context = await localContext(browser);
  const page = await context.newPage();
  const account = consoleAccount(acme);
  await page.goto(`${baseUrl}/console/sign-in`);
  await tabTo(page, 'Organization ID');
  await page.keyboard.type(account.tenantId);
  await tabTo(page, 'Email');
  await page.keyboard.type(account.email);
  await tabTo(page, 'Password');
  await page.keyboard.type(account.password);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/console/sign-in'), page.keyboard.press('Enter')]);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();

  await tabTo(page, 'Applications');
  await enterTo(page, '/console/applications');
  await tabTo(page, 'Create new OAuth application');
  await enterTo(page, '/console/applications/new');
  await tabTo(page, 'Name');
  await page.keyboard.type('User Provisioning');
  await tabTo(page, 'Redirect URI');
  await page.keyboard.type('https://system-admin.okta.com/admin/app/cpc/acme_userprovisioning/oauth/callback');
  await tabTo(page, 'Confidential');
  await page.keyboard.press('Space');
  await expect(page.getByLabel('Confidential').isChecked()).resolves.toBe(true);
  await tabTo(page, 'Create');
  await Promise.all([
    page.waitForResponse((response) => response.request().method() === 'POST'),
    page.keyboard.press('Enter'),
  ]);
  await page.getByText('Client Secret', { exact: true }).first().waitFor();
  await expect(page.locator('main').textContent()).resolves.toContain('User Provisioning');
  await context.close();
});
