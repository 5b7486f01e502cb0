import { pathOf } from '../../contract/routes';
import { MAX_NAME_LENGTH } from '../access/access-model';
import { Refusal } from '../access/refusal';
import { PageError } from '../html/page-error';
import { html, safeUrl } from '../html/template';
import { openFlash, sealFlash } from './flash';
import { alertBox, type ConsoleAdmin, consolePage, consoleUrl, csrfField, noticeBox } from './layout';
import type { ConsoleResponse } from './sign-in';
import type { UsersDeps } from './users';

/**
 * The console's Brands page: the tenant's brands, oldest first, created and deleted through the access
 * service the admin CLI uses (`brand create`, `brand delete`): a deleted brand is taken from every user who
 * had it. Another tenant's brand id is a 404.
 */
export const BRANDS_SECTION = 'Brands';

type SignedIn = ConsoleAdmin & { readonly sessionSecret: string };
type Form = Readonly<Record<string, readonly string[]>>;

const brandsUrl = (issuer: string) => consoleUrl(issuer, pathOf('ConsoleBrands'));

async function brandsPage(
  deps: UsersDeps,
  admin: SignedIn,
  status: number,
  name: string,
  alert?: string,
): Promise<ConsoleResponse> {
  const [brands, flash] = await Promise.all([
    deps.access.listBrands(admin.tenantId),
    deps.sessions.takeFlash(admin.sessionSecret),
  ]);
  const notice = flash ? (openFlash(admin.sessionSecret, flash) as { text?: string } | undefined)?.text : undefined;
  const rows = brands.map(
    (brand) =>
      html`<tr><td>${brand.name}</td><td><code>${brand.brandId}</code></td><td>${brand.createdAt.slice(0, 10)}</td><td><form method="post" action="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleBrandDelete'), { brandId: brand.brandId }))}">${csrfField(admin.csrfToken)}<button type="submit" class="secondary" aria-label="Delete ${brand.name}">Delete</button></form></td></tr>`,
  );
  const body = html`<h1>Brands</h1>
<p>The brands of your organization. A user works on all brands, or only on the ones set on their page under Users. Deleting a brand takes it from every user who has it.</p>
${noticeBox(notice)}
${alertBox(alert)}
<form method="post" action="${safeUrl(brandsUrl(deps.issuer))}">
${csrfField(admin.csrfToken)}
<div class="field"><label for="name">Brand name</label>
<input type="text" id="name" name="name" required maxlength="${String(MAX_NAME_LENGTH)}" value="${name}" autocomplete="off"></div>
<div class="actions"><button type="submit">Create brand</button></div>
</form>
${
  brands.length === 0
    ? html`<p>No brands yet.</p>`
    : html`<div class="table-wrap"><table>
<caption class="muted">${brands.length} brand${brands.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Brand ID</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
}`;
  return {
    kind: 'page',
    status,
    page: consolePage(deps.issuer, admin, { title: 'Brands', body, section: BRANDS_SECTION }),
  };
}

/** GET /console/brands */
export const listBrandsPage = (deps: UsersDeps, admin: SignedIn): Promise<ConsoleResponse> =>
  brandsPage(deps, admin, 200, '');

const done = async (deps: UsersDeps, admin: SignedIn, text: string): Promise<ConsoleResponse> => {
  await deps.sessions.putFlash(admin.sessionSecret, sealFlash(admin.sessionSecret, { kind: 'notice', text }));
  return { kind: 'redirect', location: brandsUrl(deps.issuer) };
};

/** POST /console/brands: a new brand; a bad name gives the page again with the name kept. */
export async function createBrandFromForm(deps: UsersDeps, admin: SignedIn, form: Form): Promise<ConsoleResponse> {
  const values = form.name ?? [];
  if (values.length > 1) throw new PageError(400, 'Invalid request', 'The form was sent with repeated fields.');
  const name = (values[0] ?? '').trim();
  if (name === '' || [...name].length > MAX_NAME_LENGTH || /\p{Cc}/u.test(name)) {
    return brandsPage(
      deps,
      admin,
      400,
      name.slice(0, MAX_NAME_LENGTH * 2),
      `Enter a brand name of 1 to ${MAX_NAME_LENGTH} characters, without control characters.`,
    );
  }
  const brand = await deps.access.createBrand(admin.tenantId, name);
  return done(deps, admin, `Brand ${brand.name} created.`);
}

/** POST /console/brands/{brandId}/delete */
export async function deleteBrandFromForm(deps: UsersDeps, admin: SignedIn, brandId: string): Promise<ConsoleResponse> {
  try {
    if (brandId.length > 200) throw new Refusal('unknown-brand');
    const { brand, removedFromUsers } = await deps.access.deleteBrand(admin.tenantId, brandId);
    return done(
      deps,
      admin,
      `Brand ${brand.name} deleted; ${removedFromUsers} user${removedFromUsers === 1 ? '' : 's'} lost it.`,
    );
  } catch (error) {
    if (error instanceof Refusal && error.code === 'unknown-brand') {
      throw new PageError(404, 'Not found', 'There is no such brand in your organization. It may have been deleted.');
    }
    throw error;
  }
}
