import { pathOf } from '../../contract/routes';
import { MAX_NAME_LENGTH } from '../access/access-model';
import type { BrandRecord } from '../access/records';
import { Refusal } from '../access/refusal';
import { PageError } from '../html/page-error';
import { html, type SafeHtml, safeUrl } from '../html/template';
import { openFlash, sealFlash } from './flash';
import { alreadySentPage, formIdField, formIdOf, idOfForm, newFormId } from './form-once';
import { alertBox, type ConsoleAdmin, consolePage, consoleUrl, csrfField, noticeBox } from './layout';
import type { ConsoleResponse } from './sign-in';
import type { UsersDeps } from './users';

/**
 * The console's Brands page: the tenant's brands, oldest first, created, renamed and
 * deleted through the access service the admin CLI uses (`brand create`, `brand rename`, `brand delete`): a
 * deleted brand is taken from every user who had it. Another tenant's brand id is a 404.
 */
export const BRANDS_SECTION = 'Brands';

type SignedIn = ConsoleAdmin & { readonly sessionSecret: string };
type Form = Readonly<Record<string, readonly string[]>>;

const brandsUrl = (issuer: string) => consoleUrl(issuer, pathOf('ConsoleBrands'));

/** Brand ids are UUIDs; anything much longer is no brand of anyone's and is not looked up. */
const MAX_BRAND_ID_LENGTH = 200;

const BRAND_NAME_PROBLEM = `Enter a brand name of 1 to ${MAX_NAME_LENGTH} characters, without control characters.`;

const single = (form: Form, field: string): string => {
  const values = form[field] ?? [];
  if (values.length > 1) throw new PageError(400, 'Invalid request', 'The form was sent with repeated fields.');
  return values[0] ?? '';
};

/** The name as the form gives it (trimmed), and whether the access service would take it. */
function brandNameOf(form: Form): { name: string; acceptable: boolean } {
  const name = single(form, 'name').trim();
  return { name, acceptable: name !== '' && [...name].length <= MAX_NAME_LENGTH && !/\p{Cc}/u.test(name) };
}

const NO_SUCH_BRAND = () =>
  new PageError(404, 'Not found', 'There is no such brand in your organization. It may have been deleted.');

/** A refused rename: the brand, the name typed, and why. */
interface RefusedRename {
  readonly brandId: string;
  readonly name: string;
  readonly problem: string;
}

/** A brand's rename form, behind a disclosure that is open when its rename was refused. */
function renameForm(deps: UsersDeps, admin: SignedIn, brand: BrandRecord, refused?: RefusedRename): SafeHtml {
  const id = `rename-${brand.brandId}`;
  const form = html`<form method="post" action="${safeUrl(brandsUrl(deps.issuer))}">${csrfField(admin.csrfToken)}<input type="hidden" name="intent" value="rename"><input type="hidden" name="brand" value="${brand.brandId}">
<div class="field"><label for="${id}">New name for ${brand.name}</label>
<input type="text" id="${id}" name="name" required maxlength="${String(MAX_NAME_LENGTH)}" value="${refused ? refused.name : brand.name}" autocomplete="off" aria-invalid="${refused ? 'true' : 'false'}" aria-describedby="${refused ? `${id}-error` : ''}">
${refused ? html`<p class="alert" id="${id}-error">${refused.problem}</p>` : undefined}</div>
<button type="submit" class="secondary">Rename</button></form>`;
  return refused
    ? html`<details open><summary>Rename</summary>${form}</details>`
    : html`<details><summary>Rename</summary>${form}</details>`;
}

/** The create form's input: the name typed, and the form's one-time id (kept while nothing was created). */
interface CreateInput {
  readonly name: string;
  readonly formId: string;
}

const freshCreate = (): CreateInput => ({ name: '', formId: newFormId() });

async function brandsPage(
  deps: UsersDeps,
  admin: SignedIn,
  status: number,
  create: CreateInput,
  alert?: string,
  refused?: RefusedRename,
): Promise<ConsoleResponse> {
  const [brands, flash] = await Promise.all([
    deps.access.listBrands(admin.tenantId),
    deps.sessions.takeFlash(admin.sessionSecret),
  ]);
  const notice = flash ? (openFlash(admin.sessionSecret, flash) as { text?: string } | undefined)?.text : undefined;
  const rows = brands.map(
    (brand) =>
      html`<tr><td>${brand.name}</td><td><code>${brand.brandId}</code></td><td>${brand.createdAt.slice(0, 10)}</td><td>${renameForm(deps, admin, brand, refused?.brandId === brand.brandId ? refused : undefined)}<form method="post" action="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleBrandDelete'), { brandId: brand.brandId }))}">${csrfField(admin.csrfToken)}<button type="submit" class="secondary" aria-label="Delete ${brand.name}">Delete</button></form></td></tr>`,
  );
  const body = html`<h1>Brands</h1>
<p>The brands of your organization. A user works on all brands, or only on the ones set on their page under Users. Renaming a brand keeps its ID, so its users and group mappings keep it; deleting a brand takes it from every user who has it.</p>
${noticeBox(notice)}
${alertBox(alert)}
<form method="post" action="${safeUrl(brandsUrl(deps.issuer))}">
${csrfField(admin.csrfToken)}${formIdField(create.formId)}<input type="hidden" name="intent" value="create">
<div class="field"><label for="name">Brand name</label>
<input type="text" id="name" name="name" required maxlength="${String(MAX_NAME_LENGTH)}" value="${create.name}" autocomplete="off"></div>
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
  brandsPage(deps, admin, 200, freshCreate());

const done = async (deps: UsersDeps, admin: SignedIn, text: string): Promise<ConsoleResponse> => {
  await deps.sessions.putFlash(admin.sessionSecret, sealFlash(admin.sessionSecret, { kind: 'notice', text }));
  return { kind: 'redirect', location: brandsUrl(deps.issuer) };
};

/**
 * POST /console/brands: the page's forms, by their `intent`: `create` (the default) or `rename` (one function
 * for both keeps the stack within CloudFormation's resource limit). A bad name gives the page again with the
 * name kept and the message next to it; another tenant's brand is a 404. The new brand's id is derived from
 * the create form's one-time id (core/console/form-once.ts), so the same form posted twice creates one brand;
 * a rename posted twice leaves the name it set.
 */
export async function brandFormPost(deps: UsersDeps, admin: SignedIn, form: Form): Promise<ConsoleResponse> {
  const intent = single(form, 'intent');
  if (intent === 'rename') return renameBrand(deps, admin, single(form, 'brand'), form);
  if (intent !== '' && intent !== 'create') {
    throw new PageError(400, 'Invalid request', 'The form was sent without a known action.');
  }
  const formId = formIdOf(form);
  const { name, acceptable } = brandNameOf(form);
  if (!acceptable) {
    return brandsPage(deps, admin, 400, { name: name.slice(0, MAX_NAME_LENGTH * 2), formId }, BRAND_NAME_PROBLEM);
  }
  const brandId = idOfForm('console-create-brand', admin.tenantId, formId);
  try {
    const brand = await deps.access.createBrand(admin.tenantId, name, brandId);
    return done(deps, admin, `Brand ${brand.name} created.`);
  } catch (error) {
    if (error instanceof Refusal && error.code === 'duplicate-brand') return alreadyCreated(deps, admin, brandId);
    throw error;
  }
}

/** The answer to a create form sent a second time: the brand the first post created, and no second one. */
async function alreadyCreated(deps: UsersDeps, admin: SignedIn, brandId: string): Promise<ConsoleResponse> {
  const brand = (await deps.access.listBrands(admin.tenantId)).find((each) => each.brandId === brandId);
  const list = html`<a href="${safeUrl(brandsUrl(deps.issuer))}">Brands</a>`;
  return alreadySentPage(
    deps.issuer,
    admin,
    BRANDS_SECTION,
    brand
      ? html`The brand ${brand.name} was created when this form was first sent, so nothing new was created. It is listed under ${list}.`
      : html`The brand this form created is being deleted, so nothing was created. Create another under ${list}.`,
  );
}

async function renameBrand(deps: UsersDeps, admin: SignedIn, brandId: string, form: Form): Promise<ConsoleResponse> {
  if (brandId === '' || brandId.length > MAX_BRAND_ID_LENGTH) throw NO_SUCH_BRAND();
  const { name, acceptable } = brandNameOf(form);
  try {
    if (!acceptable) {
      if (!(await deps.access.listBrands(admin.tenantId)).some((brand) => brand.brandId === brandId)) {
        throw new Refusal('unknown-brand');
      }
      const kept = name.slice(0, MAX_NAME_LENGTH * 2);
      return brandsPage(deps, admin, 400, freshCreate(), 'The brand was not renamed.', {
        brandId,
        name: kept,
        problem: BRAND_NAME_PROBLEM,
      });
    }
    const { brand, from } = await deps.access.renameBrand(admin.tenantId, brandId, name);
    return done(
      deps,
      admin,
      from === brand.name ? `Brand ${brand.name} kept its name.` : `Brand ${from} renamed to ${brand.name}.`,
    );
  } catch (error) {
    if (error instanceof Refusal && error.code === 'unknown-brand') throw NO_SUCH_BRAND();
    throw error;
  }
}

/** POST /console/brands/{brandId}/delete */
export async function deleteBrandFromForm(deps: UsersDeps, admin: SignedIn, brandId: string): Promise<ConsoleResponse> {
  try {
    if (brandId.length > MAX_BRAND_ID_LENGTH) throw new Refusal('unknown-brand');
    const { brand, removedFromUsers } = await deps.access.deleteBrand(admin.tenantId, brandId);
    return done(
      deps,
      admin,
      `Brand ${brand.name} deleted; ${removedFromUsers} user${removedFromUsers === 1 ? '' : 's'} lost it.`,
    );
  } catch (error) {
    if (error instanceof Refusal && error.code === 'unknown-brand') {
      throw NO_SUCH_BRAND();
    }
    throw error;
  }
}
