/**
 * Response header fields, the one way every protocol stack (SCIM, OAuth, HTML pages, public documents) turns
 * its headers into what goes on the wire. A value Node or API Gateway would refuse becomes a failed response
 * long after the handler did its work (Node throws ERR_INVALID_CHAR and the request ends as a gateway error),
 * so the rules are enforced here, where the headers are built:
 * - a name is an RFC 9110 §5.1 `token`;
 * - a value is RFC 9110 §5.5 `field-content` restricted to visible ASCII, space and tab. `obs-text` (bytes
 *   0x80–0xFF) is left out on purpose: RFC 9110 §5.5 keeps it only for compatibility, and Node would write a
 *   JavaScript string's code points above 0x7F as Latin-1 bytes, which no client reads back as sent.
 */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;

/** A header our own code built with a character that cannot be sent: a defect, reported as such. */
export class InvalidHeaderError extends Error {
  override readonly name = 'InvalidHeaderError';
}

/** The value, checked; throws InvalidHeaderError (naming the header, never echoing the value) when invalid. */
export function headerValue(name: string, value: string): string {
  if (!FIELD_NAME.test(name)) throw new InvalidHeaderError('A response header name is not an RFC 9110 token');
  if (!FIELD_VALUE.test(value)) {
    throw new InvalidHeaderError(`The ${name} response header has a character outside RFC 9110 §5.5 field-content`);
  }
  return value;
}

/** Every field of a response's headers, checked by headerValue. */
export function headerFields(headers: Readonly<Record<string, string>> = {}): Record<string, string> {
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) checked[name] = headerValue(name, value);
  return checked;
}

/** Typographic punctuation our prose uses, and the ASCII a header can carry instead. */
const ASCII_PUNCTUATION: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2026': '...',
  '\u00a0': ' ',
};

/**
 * Prose for a quoted header parameter (an `error_description` in a challenge): typographic punctuation as
 * ASCII, then only the characters `allowed` admits, every other one dropped. RFC 6750 §3 and RFC 6749 §5.2
 * allow `%x20-21 / %x23-5B / %x5D-7E` in `error_description`, i.e. printable ASCII without `"` and `\`.
 */
export const ERROR_DESCRIPTION_CHARACTER = /[\x20\x21\x23-\x5b\x5d-\x7e]/;

export function headerParameterText(text: string, allowed: RegExp = ERROR_DESCRIPTION_CHARACTER): string {
  let result = '';
  for (const character of text) {
    const ascii = ASCII_PUNCTUATION[character] ?? character;
    for (const single of ascii) if (allowed.test(single)) result += single;
  }
  return result;
}
