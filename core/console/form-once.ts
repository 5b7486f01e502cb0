import { createHash, randomBytes } from 'node:crypto';
import { PageError } from '../html/page-error';
import { html, type SafeHtml } from '../html/template';
import type { AssertionReplayGuard } from '../oauth/client-assertion';
import { CONSOLE_SESSION_POLICY } from './session';

/**
 * A form that creates something carries a one-time id, so that posting it twice (a double click, Back and
 * submit again, a retry) creates one thing: the first post records the id, atomically, in the same single-use
 * record the client-assertion replay guard keeps; a later post of the same id changes nothing.
 */
export const FORM_ID_FIELD = 'form_id';
const FORM_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** Where a form id is recorded once (the grants table's single-use items). */
export type FormIdGuard = AssertionReplayGuard;

/** The hidden field with a fresh one-time id, for a form that creates something. */
export const formIdField = (): SafeHtml =>
  html`<input type="hidden" name="${FORM_ID_FIELD}" value="${randomBytes(16).toString('base64url')}">`;

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
  const ids = form[FORM_ID_FIELD] ?? [];
  const [id] = ids;
  if (ids.length !== 1 || id === undefined || !FORM_ID_PATTERN.test(id)) {
    throw new PageError(400, 'Invalid request', 'This form is incomplete. Reload the page and try again.');
  }
  const key = createHash('sha256').update(`console-form\u0000${sessionSecret}\u0000${id}`, 'utf8').digest('base64url');
  const nowSeconds = Math.floor(now.getTime() / 1000);
  return guard.useOnce(`console-form:${key}`, nowSeconds + CONSOLE_SESSION_POLICY.absoluteSeconds, nowSeconds);
}
