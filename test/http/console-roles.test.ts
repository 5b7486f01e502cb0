import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DynamoDbGroupAccessStore } from '../../adapters/dynamodb/group-access-store';
import { CSRF_FIELD } from '../../core/console/csrf';
import { roleSlug } from '../../core/console/roles';
import { documentClient, tableName } from '../../functions/_shared/services';
import { accessServices } from '../support/access-services';
import {
  consoleAccount,
  csrfTokenOf,
  launchChromium,
  localContext,
  postAgain,
  resendOnNextSubmit,
  SCREENSHOTS,
  seriousAccessibilityViolations,
  signInToConsole,
  submitCapturing,
} from '../support/console';
import { type RunningService, startService, useLocalEnvironment } from '../support/local-service';
import { type OAuthFixture, oauthFixture } from '../support/oauth';

/**
 * The console's Roles page and the rename of brands in Chromium: create, rename and delete through the access
 * service the CLI uses, with its refusals on the page (deleting a role users hold or a group mapping gives, a
 * built-in role, a taken name), renames that move a role's holders and mappings, bad input kept, forms without
 * the session's token refused, another tenant's roles and brands not found, and a create form of either page
 * posted twice creating one thing.
 */
let service: RunningService;
let baseUrl: string;
let acme: OAuthFixture;
let globex: OAuthFixture;
let browser: Browser;
let heldBy: string;
let globexRoleSlug: string;
let globexBrandId: string;
let mappedGroupId: string;
jest.setTimeout(180_000);

beforeAll(async () => {
  service = await startService();
  baseUrl = service.baseUrl.replace('127.0.0.1', 'localhost');
  useLocalEnvironment(baseUrl);
  acme = await oauthFixture({ tenantName: 'Acme Corporation' });
  globex = await oauthFixture({ tenantName: 'Globex' });
  const { access } = accessServices('operator');
  await access.createRole(acme.tenantId, 'Email Creator', 'Writes the brands’ emails');
  await access.createRole(acme.tenantId, 'Brand Editor', 'Edits the brand pages');
  const ed = await access.createUser(acme.tenantId, { email: 'ed.lee@acme.example' });
  await access.setRole(acme.tenantId, ed.id, 'Email Creator');
  heldBy = ed.attributes.userName;
  // A group mapping that gives Brand Editor (the mapping is what the refusal reads; the group need not exist).
  mappedGroupId = 'group-editors';
  const at = new Date().toISOString();
  await new DynamoDbGroupAccessStore(documentClient(), tableName('users')).putMapping(
    acme.tenantId,
    { groupId: mappedGroupId, role: { name: 'Brand Editor', priority: 10 }, updatedAt: at },
    { at, actor: 'operator', action: 'group.map', details: {} },
  );
  globexRoleSlug = roleSlug(await access.createRole(globex.tenantId, 'Globex Only', ''));
  globexBrandId = (await access.createBrand(globex.tenantId, 'Globex Brand')).brandId;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await service?.close();
});

const rowOf = (page: Page, name: string) =>
  page.getByRole('row').filter({ has: page.getByText(name, { exact: true }) });

/** Opens the rename disclosure of a row and types the new name. */
async function typeNewName(page: Page, current: string, name: string): Promise<void> {
  await rowOf(page, current).getByText('Rename', { exact: true }).first().click();
  await page.getByLabel(`New name for ${current}`).fill(name);
}

const rowsOf = async (page: Page) =>
  (await page.locator('tbody tr').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());

/** Clicks a submit button and returns the status of the POST it sends. */
async function submit(page: Page, button: string, row?: string): Promise<number> {
  const answered = page.waitForResponse((response) => response.request().method() === 'POST');
  const scope = row === undefined ? page : rowOf(page, row);
  await scope.getByRole('button', { name: button, exact: true }).click();
  const status = (await answered).status();
  await page.waitForLoadState('load');
  return status;
}

const customRoles = async (tenantId: string) =>
  (await accessServices().access.listRoles(tenantId)).filter((role) => !role.builtIn).map((role) => role.name);

describe('the Roles page', () => {
  test('lists the roles, creates one (bad input kept), renames it, and deletes it; refusals are shown', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, consoleAccount(acme));
    await page.getByRole('navigation').getByRole('link', { name: 'Roles' }).click();
    await page.getByRole('heading', { name: 'Roles', exact: true }).waitFor();
    expect(await rowsOf(page)).toEqual([
      expect.stringMatching(/^admin Built in · .* Cannot be changed$/),
      expect.stringMatching(/^collaborator Built in · .* Cannot be changed$/),
      'Email Creator Custom · Writes the brands’ emails Rename Delete',
      'Brand Editor Custom · Edits the brand pages Rename Delete',
    ]);

    await page.getByLabel('Role name').fill('Admin');
    await page.getByLabel('Description').fill('Reviews the emails');
    expect(await submit(page, 'Create role')).toBe(400);
    await expect(page.locator('#name-error').textContent()).resolves.toBe(
      'Admin is a built-in role; choose another name.',
    );
    await expect(page.getByLabel('Role name').inputValue()).resolves.toBe('Admin');
    await expect(page.getByLabel('Description').inputValue()).resolves.toBe('Reviews the emails');
    await page.getByLabel('Role name').fill('EMAIL creator');
    expect(await submit(page, 'Create role')).toBe(400);
    await expect(page.locator('#name-error').textContent()).resolves.toContain(
      'There already is a role named Email Creator',
    );

    await page.getByLabel('Role name').fill('  Reviewer ');
    expect(await submit(page, 'Create role')).toBe(303);
    await page.getByText('Role Reviewer created.').waitFor();
    expect(await rowsOf(page)).toContain('Reviewer Custom · Reviews the emails Rename Delete');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-roles.png'), fullPage: true });

    // Rename: a taken name is refused with the input kept next to the message.
    await typeNewName(page, 'Reviewer', 'brand editor');
    expect(await submit(page, 'Rename', 'Reviewer')).toBe(400);
    const renameError = page.getByLabel('New name for Reviewer');
    await expect(renameError.inputValue()).resolves.toBe('brand editor');
    await expect(rowOf(page, 'Reviewer').getByRole('paragraph').last().textContent()).resolves.toContain(
      'There already is a role named Brand Editor',
    );
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByLabel('New name for Reviewer').fill('Proofreader');
    expect(await submit(page, 'Rename', 'Reviewer')).toBe(303);
    await page.getByText('Role Reviewer renamed to Proofreader; 0 users and 0 group mappings moved to it.').waitFor();

    // A role a user holds is not deleted; the page says who holds it.
    expect(await submit(page, 'Delete Email Creator')).toBe(409);
    await expect(page.getByRole('alert').first().textContent()).resolves.toBe(
      `Role Email Creator cannot be deleted: 1 user holds it (${heldBy}). Give them another role on their pages under Users first.`,
    );
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-role-refused.png'), fullPage: true });
    // Renamed, it moves its holders to the new name.
    await typeNewName(page, 'Email Creator', 'Copywriter');
    expect(await submit(page, 'Rename', 'Email Creator')).toBe(303);
    await page
      .getByText('Role Email Creator renamed to Copywriter; 1 user and 0 group mappings moved to it.')
      .waitFor();
    expect((await accessServices().access.findUser(acme.tenantId, heldBy)).access.role).toBe('Copywriter');

    // A role a group mapping gives is not deleted either; renamed, the mapping gives the new name.
    expect(await submit(page, 'Delete Brand Editor')).toBe(409);
    await expect(page.getByRole('alert').first().textContent()).resolves.toBe(
      `Role Brand Editor cannot be deleted: the mapping of 1 group (${mappedGroupId}) gives it. Change or remove those mappings first.`,
    );
    await typeNewName(page, 'Brand Editor', 'Page Editor');
    expect(await submit(page, 'Rename', 'Brand Editor')).toBe(303);
    await page
      .getByText('Role Brand Editor renamed to Page Editor; 0 users and 1 group mapping moved to it.')
      .waitFor();
    const mapping = await new DynamoDbGroupAccessStore(documentClient(), tableName('users')).mapping(
      acme.tenantId,
      mappedGroupId,
    );
    expect(mapping?.role).toEqual({ name: 'Page Editor', priority: 10 });

    expect(await submit(page, 'Delete Proofreader')).toBe(303);
    await page.getByText('Role Proofreader deleted.').waitFor();
    expect(await customRoles(acme.tenantId)).toEqual(['Copywriter', 'Page Editor']);
    await context.close();
  });

  test('fits a phone-width screen, with a rename form open', async () => {
    const context = await localContext(browser, { viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, consoleAccount(acme));
    expect((await page.goto(`${baseUrl}/console/roles`))?.status()).toBe(200);
    const [role = ''] = await customRoles(acme.tenantId);
    await typeNewName(page, role, 'Copy Lead');
    await expect(page.evaluate('document.documentElement.scrollWidth > window.innerWidth')).resolves.toBe(false);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-roles-phone.png'), fullPage: true });
    await context.close();
  });

  test('a form without the session’s token is refused; another tenant’s role is not found', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, consoleAccount(acme));
    await page.goto(`${baseUrl}/console/roles`);
    const token = await csrfTokenOf(page, CSRF_FIELD);
    const post = (form: Record<string, string>) =>
      page.request.post(`${baseUrl}/console/roles`, { form, headers: { origin: baseUrl }, maxRedirects: 0 });
    const own = roleSlug({ key: 'email creator' });
    const withoutToken = [
      await post({ intent: 'create', name: 'Sneaky', description: '' }),
      await post({ intent: 'rename', role: own, name: 'Sneaky' }),
      await post({ intent: 'delete', role: own }),
    ];
    expect(withoutToken.map((response) => response.status())).toEqual([403, 403, 403]);
    const crossTenant = [
      await post({ [CSRF_FIELD]: token, intent: 'rename', role: globexRoleSlug, name: 'Taken' }),
      await post({ [CSRF_FIELD]: token, intent: 'delete', role: globexRoleSlug }),
      await post({ [CSRF_FIELD]: token, intent: 'delete', role: 'not base64!' }),
      await post({ [CSRF_FIELD]: token, intent: 'delete', role: roleSlug({ key: 'admin' }) }),
    ];
    expect(crossTenant.map((response) => response.status())).toEqual([404, 404, 404, 404]);
    expect(await customRoles(globex.tenantId)).toEqual(['Globex Only']);
    expect(await customRoles(acme.tenantId)).not.toContain('Sneaky');
    await context.close();
  });
});

describe('renaming a brand', () => {
  test('on the Brands page: a bad name is kept with the message; users keep the brand; it fits a phone', async () => {
    const { access } = accessServices('operator');
    const brand = await access.createBrand(acme.tenantId, 'Acme North');
    const scoped = await access.createUser(acme.tenantId, { email: 'north@acme.example' });
    await access.setBrands(acme.tenantId, scoped.id, [brand.brandId]);
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, consoleAccount(acme));
    await page.getByRole('navigation').getByRole('link', { name: 'Brands' }).click();
    await page.getByRole('heading', { name: 'Brands', exact: true }).waitFor();
    await typeNewName(page, 'Acme North', 'Acme\u0007 Nord');
    expect(await submit(page, 'Rename', 'Acme North')).toBe(400);
    await expect(page.getByRole('alert').first().textContent()).resolves.toBe('The brand was not renamed.');
    await expect(rowOf(page, 'Acme North').getByRole('paragraph').last().textContent()).resolves.toContain(
      'Enter a brand name of 1 to 200',
    );
    await expect(page.getByLabel('New name for Acme North').inputValue()).resolves.toBe('Acme\u0007 Nord');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-brand-rename.png'), fullPage: true });
    await page.getByLabel('New name for Acme North').fill('Acme North America');
    expect(await submit(page, 'Rename', 'Acme North')).toBe(303);
    await page.getByText('Brand Acme North renamed to Acme North America.').waitFor();
    expect(await rowsOf(page)).toContainEqual(expect.stringContaining(`Acme North America ${brand.brandId}`));
    expect((await access.findUser(acme.tenantId, scoped.id)).access.brands).toEqual([brand.brandId]);
    const [latest] = await access.tenantChanges(acme.tenantId, 1);
    expect(latest).toMatchObject({
      actor: `console:${acme.adminEmail}`,
      action: 'brand.rename',
      details: { brandId: brand.brandId, name: { from: 'Acme North', to: 'Acme North America' } },
    });

    const phone = await localContext(browser, { viewport: { width: 390, height: 844 } });
    const small = await phone.newPage();
    await signInToConsole(small, baseUrl, consoleAccount(acme));
    expect((await small.goto(`${baseUrl}/console/brands`))?.status()).toBe(200);
    await typeNewName(small, 'Acme North America', 'Acme Nord');
    await expect(small.evaluate('document.documentElement.scrollWidth > window.innerWidth')).resolves.toBe(false);
    expect(await seriousAccessibilityViolations(small)).toEqual([]);
    await phone.close();
    await context.close();
  });

  test('a rename without the session’s token is refused; another tenant’s brand is not found', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, consoleAccount(acme));
    await page.goto(`${baseUrl}/console/brands`);
    const token = await csrfTokenOf(page, CSRF_FIELD);
    const own = await accessServices().access.createBrand(acme.tenantId, 'Acme South');
    const post = (form: Record<string, string>) =>
      page.request.post(`${baseUrl}/console/brands`, { form, headers: { origin: baseUrl }, maxRedirects: 0 });
    expect((await post({ intent: 'rename', brand: own.brandId, name: 'Sneaky' })).status()).toBe(403);
    const crossTenant = [
      await post({ [CSRF_FIELD]: token, intent: 'rename', brand: globexBrandId, name: 'Taken' }),
      await post({ [CSRF_FIELD]: token, intent: 'rename', brand: globexBrandId, name: '' }),
    ];
    expect(crossTenant.map((response) => response.status())).toEqual([404, 404]);
    const names = async (tenantId: string) =>
      (await accessServices().access.listBrands(tenantId)).map((brand) => brand.name);
    expect(await names(globex.tenantId)).toEqual(['Globex Brand']);
    expect(await names(acme.tenantId)).toContain('Acme South');
    await context.close();
  });
});

describe('a create form posted twice', () => {
  test('Brands: the second post creates no second brand and says the form was already sent', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, consoleAccount(acme));
    await page.goto(`${baseUrl}/console/brands`);
    await page.getByLabel('Brand name').fill('Acme Twice');
    const sent = await submitCapturing(page, page.getByRole('button', { name: 'Create brand' }));
    expect(sent.status).toBe(303);
    await page.getByText('Brand Acme Twice created.').waitFor();

    const again = await postAgain(page, sent);
    expect(again.status()).toBe(409);
    const answer = await again.text();
    expect(answer).toContain('This form was already sent');
    expect(answer).toContain('The brand Acme Twice was created when this form was first sent');

    // In the browser, with the name edited before the form is sent again: still the same form, nothing new.
    await resendOnNextSubmit(page, sent);
    await page.getByLabel('Brand name').fill('Acme Twice, edited');
    await page.getByRole('button', { name: 'Create brand' }).click();
    await page.getByRole('heading', { name: 'This form was already sent' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Brands' }).last().click();
    await page.getByRole('heading', { name: 'Brands', exact: true }).waitFor();

    const names = (await accessServices().access.listBrands(acme.tenantId)).map((brand) => brand.name);
    expect(names.filter((name) => name.startsWith('Acme Twice'))).toEqual(['Acme Twice']);
    await context.close();
  });

  test('Roles: the second post creates nothing, is not called a taken name, and names the role', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, consoleAccount(acme));
    await page.goto(`${baseUrl}/console/roles`);
    await page.getByLabel('Role name').fill('Sent Twice');
    const sent = await submitCapturing(page, page.getByRole('button', { name: 'Create role' }));
    expect(sent.status).toBe(303);
    await page.getByText('Role Sent Twice created.').waitFor();

    const again = await postAgain(page, sent);
    expect(again.status()).toBe(409);
    const answer = await again.text();
    expect(answer).toContain('This form was already sent');
    expect(answer).toContain('The role Sent Twice exists');
    expect(answer).not.toContain('There already is a role named');

    await resendOnNextSubmit(page, sent);
    await page.getByLabel('Role name').fill('Sent Twice, edited');
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.getByRole('heading', { name: 'This form was already sent' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    expect((await customRoles(acme.tenantId)).filter((name) => name.startsWith('Sent Twice'))).toEqual(['Sent Twice']);
    await context.close();
  });

  test('Roles: a refused create shows the form with a new id, so its corrected post creates the role', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, consoleAccount(acme));
    // A name this test takes itself: the other tests rename and delete roles.
    await accessServices('operator').access.createRole(acme.tenantId, 'Taken Here', '');
    await page.goto(`${baseUrl}/console/roles`);
    await page.getByLabel('Role name').fill('taken here');
    const refused = await submitCapturing(page, page.getByRole('button', { name: 'Create role' }));
    expect(refused.status).toBe(400);
    await page.getByLabel('Role name').fill('Copy Editor');
    expect((await submitCapturing(page, page.getByRole('button', { name: 'Create role' }))).status).toBe(303);
    await page.getByText('Role Copy Editor created.').waitFor();
    expect(await customRoles(acme.tenantId)).toContain('Copy Editor');
    await context.close();
  });
});
