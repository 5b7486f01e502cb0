import { createHash, randomBytes } from 'node:crypto';
import { PageError } from '../html/page-error';
import { html, type SafeHtml } from '../html/template';
import type { AssertionReplayGuard } from '../oauth/client-assertion';
import { type ConsoleAdmin, consolePage } from './layout';
import { CONSOLE_SESSION_POLICY } from './session';
import type { ConsoleResponse } from './sign-in';

/**
 * The console's one rule against a form sent twice (a double click, Back and submit again, a second tab, a
 * retry): every form that creates something, or changes something in a way a repeat would change again,
 * carries a one-time form id, and the second post of the same id changes nothing and says so. The id is used
 * in one of two ways:
 * - derived id: where the store writes a new thing only if its id is new (a conditional write), the new
 *   thing's id is derived from the form id (`idOfForm`), so the write itself refuses the repeat, atomically
 *   with the creation, and the answer can link to what the first post created (applications, brands);
 * - recorded once: where the thing has no id of the form's choosing (a role is keyed by its name, a token or
 *   a machine client's id is drawn by its store) or the change is not a creation (a secret rotated), the
 *   first post records the form id in the grants table's single-use items before it writes
 *   (`firstPostOfForm`); a later post of the same id writes nothing.
 * A change that a repeat leaves as it is (a role set to the same value, a thing already deleted or revoked)
 * needs no form id.
 */
export const FORM_ID_FIELD = 'form_id';
const FORM_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** Where a form id is recorded once (the grants table's single-use items). */
export type FormIdGuard = AssertionReplayGuard;

/** A new form's one-time id: 128 random bits. */
export const newFormId = (): string => randomBytes(16).toString('base64url');

/**
 * The hidden field with the form's one-time id: a fresh one, or the id of the form being shown again after a
 * refused post that wrote nothing (so that its corrected post is still the first).
 */
export const formIdField = (formId: string = newFormId()): SafeHtml =>
  html`<input type="hidden" name="${FORM_ID_FIELD}" value="${formId}">`;

/** The form's one-time id; a form without exactly one well-formed id is a 400 page (an old or forged form). */
export function formIdOf(form: Readonly<Record<string, readonly string[]>>): string {
  const ids = form[FORM_ID_FIELD] ?? [];
  const [id] = ids;
  if (ids.length !== 1 || id === undefined || !FORM_ID_PATTERN.test(id)) {
    throw new PageError(
      400,
      'Invalid request',
      'This form is out of date or incomplete. Reload the page and try again.',
    );
  }
  return id;
}

/**
 * The id of the thing a form creates: a UUID (RFC 9562 §5.8, version 8) derived from what is created, the
 * tenant and the form's id. The tenant is part of the input, so no id typed into another tenant's form can
 * name this tenant's thing.
 */
export function idOfForm(purpose: string, tenantId: string, formId: string): string {
  const bytes = createHash('sha256').update(`${purpose}\n${tenantId}\n${formId}`).digest();
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Whether this is the first post of the form's id in this session; a form without a well-formed id is a
 * 400 page. The id is kept for a session's longest life: a later post needs a new sign-in and a new form.
 */
export async function firstPostOfForm(
  guard: FormIdGuard,
  sessionSecret: string,
  form: Readonly<Record<string, readonly string[]>>,
  now: Date,
): Promise<boolean> {
  const id = formIdOf(form);
  const key = createHash('sha256').update(`console-form\u0000${sessionSecret}\u0000${id}`, 'utf8').digest('base64url');
  const nowSeconds = Math.floor(now.getTime() / 1000);
  return guard.useOnce(`console-form:${key}`, nowSeconds + CONSOLE_SESSION_POLICY.absoluteSeconds, nowSeconds);
}

export const ALREADY_SENT_TITLE = 'This form was already sent';

/** The answer to a form's second post (409): what the first post did, and where to go from here. */
export const alreadySentPage = (
  issuer: string,
  admin: ConsoleAdmin,
  section: string,
  what: SafeHtml,
  extra?: SafeHtml,
): ConsoleResponse => ({
  kind: 'page',
  status: 409,
  page: consolePage(issuer, admin, {
    title: ALREADY_SENT_TITLE,
    section,
    body: html`<h1>${ALREADY_SENT_TITLE}</h1>
<p>${what}</p>
${extra}`,
  }),
});
