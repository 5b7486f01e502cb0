import type { Browser } from 'playwright-core';
import {
  fillSignIn,
  launchChromium,
  localContext,
  seriousAccessibilityViolations,
  signInToConsole,
} from '../support/console';
import { type RunningService, startService, useLocalEnvironment } from '../support/local-service';
import { type OAuthFixture, oauthFixture } from '../support/oauth';

let service: RunningService;
let baseUrl: string;
let acme: OAuthFixture;
let browser: Browser;
beforeAll(async () => {
  service = await startService();
  baseUrl = service.baseUrl.replace('127.0.0.1', 'localhost');
  useLocalEnvironment(baseUrl);
  acme = await oauthFixture({ tenantName: 'Acme Corporation', clientName: 'Okta provisioning' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await service?.close();
});

const account = (fixture: OAuthFixture) => ({
  tenantId: fixture.tenantId,
  email: fixture.adminEmail,
  password: fixture.adminPassword,
});

describe('the console in Chromium', () => {
  test('sign in, see the applications, sign out', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    await page.getByRole('heading', { name: 'OAuth applications' }).waitFor();
    await expect(page.getByRole('cell', { name: acme.clientName }).isVisible()).resolves.toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
    await page.goto(`${baseUrl}/console/applications`);
    await page.getByRole('heading', { name: 'Sign in to the admin console' }).waitFor();
    await context.close();
  });

  test('a wrong password shows the form again with the input kept', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/console/sign-in?tenant=${acme.tenantId}`);
    await fillSignIn(page, { ...account(acme), password: 'not the password' });
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'The organization ID, email or password is incorrect.',
    );
    await expect(page.getByLabel('Email').inputValue()).resolves.toBe(acme.adminEmail);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await context.close();
  });
});
