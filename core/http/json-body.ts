/**
 * Limits on request bodies, shared by every JSON endpoint. A SCIM User is a few kilobytes; anything near these
 * limits is a mistake or an attack, and is refused before any work is done.
 */
export const MAX_JSON_BODY_BYTES = 128 * 1024;
export const MAX_JSON_DEPTH = 32;

export type JsonBodyProblem =
  | { kind: 'tooLarge'; limitBytes: number }
  | { kind: 'malformed'; detail: string }
  | { kind: 'tooDeep'; limitDepth: number };

/** Parses a JSON body within the limits, or says what is wrong with it. */
export function parseJsonBody(
  body: string,
  bodyBytes: number,
  limitBytes: number = MAX_JSON_BODY_BYTES,
): { ok: true; value: unknown } | { ok: false; problem: JsonBodyProblem } {
  if (bodyBytes > limitBytes) return { ok: false, problem: { kind: 'tooLarge', limitBytes } };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, problem: { kind: 'malformed', detail: 'The request body is not valid JSON' } };
  }
  if (depthExceeds(value, MAX_JSON_DEPTH)) {
    return { ok: false, problem: { kind: 'tooDeep', limitDepth: MAX_JSON_DEPTH } };
  }
  return { ok: true, value };
}

/** Iterative, so that a hostile document cannot overflow the stack while being measured. */
function depthExceeds(root: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (value === null || typeof value !== 'object') continue;
    if (depth >= limit) return true;
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

/** `application/json`, `application/scim+json` or any `+json` type, with or without parameters. */
export function isJsonMediaType(contentType: string): boolean {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]*\+json$/.test(mediaType);
}
