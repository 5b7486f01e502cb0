import { invalidRequest } from './errors';

export type FormParams = Readonly<Record<string, readonly string[]>>;

/**
 * One request parameter (RFC 6749 §3.1, §3.2): sent at most once (a repeated parameter is `invalid_request`),
 * and an empty value counts as absent. Unknown parameters are simply never asked for.
 */
export function singleParam(form: FormParams, name: string): string | undefined {
  const values = form[name] ?? [];
  if (values.length > 1) throw invalidRequest(`The ${name} parameter must not be repeated`);
  const value = values[0];
  return value === undefined || value === '' ? undefined : value;
}

export function requiredParam(form: FormParams, name: string): string {
  const value = singleParam(form, name);
  if (value === undefined) throw invalidRequest(`The ${name} parameter is required`);
  return value;
}
