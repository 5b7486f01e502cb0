import { invalidRequest } from './errors';

/** Request parameters (query or form body) as name → every value received, in order. */
export type FormParams = Readonly<Record<string, readonly string[]>>;

/** A parameter sent more than once. */
export const REPEATED = Symbol('repeated parameter');

/**
 * THE reading of one request parameter under RFC 6749 §3.1, for every endpoint: "parameters sent without a
 * value MUST be treated as if they were omitted from the request", so empty values are dropped first; then
 * "request and response parameters MUST NOT be included more than once", so more than one remaining value is
 * REPEATED. Hence `["", "x"]` is `"x"` (the empty one was, by the first rule, never sent), `["", ""]` is
 * absent, and `["x", "x"]` is REPEATED. Unknown parameters are simply never asked for.
 */
export function parameterValue(params: FormParams, name: string): string | undefined | typeof REPEATED {
  const values = (params[name] ?? []).filter((value) => value !== '');
  if (values.length > 1) return REPEATED;
  return values[0];
}

/** One parameter of the token or revocation endpoint; a repeated one is `invalid_request`. */
export function singleParam(form: FormParams, name: string): string | undefined {
  const value = parameterValue(form, name);
  if (value === REPEATED) throw invalidRequest(`The ${name} parameter must not be repeated`);
  return value;
}

export function requiredParam(form: FormParams, name: string): string {
  const value = singleParam(form, name);
  if (value === undefined) throw invalidRequest(`The ${name} parameter is required`);
  return value;
}
