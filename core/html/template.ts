/**
 * A small HTML template module with context-aware escaping. Pages are written as tagged templates:
 *
 *     html`<p class="note">${userText}</p><a href="${safeUrl(link)}">…</a>`
 *
 * Every interpolated value is escaped for where it stands:
 * - text between tags and quoted attribute values: `& < > " ' \`` become character references, so a value can
 *   neither open a tag nor close the attribute (OWASP XSS Prevention Cheat Sheet, rules 1 and 2);
 * - URL attributes (`href`, `action`, `src`, `formaction`): only a {@link SafeUrl} is accepted, i.e. an http(s)
 *   URL or a same-origin path, never `javascript:`;
 * - anywhere else (an unquoted attribute, inside a tag, inside `<script>` or `<style>`) interpolation is refused
 *   with an error, because no escaping makes those contexts safe.
 * Nested templates ({@link SafeHtml}) and arrays of them are inserted as they are.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** A URL checked for use in a URL attribute. */
export class SafeUrl {
  constructor(readonly value: string) {}
}

/** Thrown for a template that interpolates a value into a context it cannot escape for: a bug in the page. */
export class TemplateContextError extends Error {
  override readonly name = 'TemplateContextError';
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export const escapeHtml = (value: string): string => value.replace(/[&<>"'`]/g, (char) => ESCAPES[char] ?? char);

/**
 * Accepts absolute `http:`/`https:` URLs and same-origin absolute paths (`/…`, but not `//host`); anything else
 * (`javascript:`, `data:`, protocol-relative) throws.
 */
export function safeUrl(url: string): SafeUrl {
  if (/^\/(?![/\\])/.test(url)) return new SafeUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TemplateContextError('Not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TemplateContextError(`URL scheme ${parsed.protocol} is not allowed in a page`);
  }
  return new SafeUrl(url);
}

type Interpolation = string | number | SafeHtml | SafeUrl | readonly SafeHtml[] | undefined | null | false;

const URL_ATTRIBUTES = new Set(['href', 'action', 'src', 'formaction']);

type Context = { kind: 'text' } | { kind: 'attribute'; name: string } | { kind: 'forbidden'; reason: string };

/** Where the next value lands, judged from all the markup written before it. */
function contextAfter(markup: string): Context {
  const lower = markup.toLowerCase();
  for (const raw of ['script', 'style']) {
    if (lower.lastIndexOf(`<${raw}`) > lower.lastIndexOf(`</${raw}`)) {
      return { kind: 'forbidden', reason: `inside <${raw}>` };
    }
  }
  const tagOpen = markup.lastIndexOf('<');
  if (tagOpen <= markup.lastIndexOf('>')) return { kind: 'text' };
  const attribute = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(["'])([^"']*)$/.exec(markup.slice(tagOpen));
  if (!attribute) return { kind: 'forbidden', reason: 'inside a tag but not in a quoted attribute value' };
  const [, name = '', , before = ''] = attribute;
  if (URL_ATTRIBUTES.has(name.toLowerCase()) && before !== '') {
    return { kind: 'forbidden', reason: `part of a ${name} URL` };
  }
  return { kind: 'attribute', name: name.toLowerCase() };
}

function render(value: Interpolation, context: Context): string {
  if (context.kind === 'forbidden') throw new TemplateContextError(`Cannot interpolate ${context.reason}`);
  if (value === undefined || value === null || value === false) return '';
  if (context.kind === 'attribute' && URL_ATTRIBUTES.has(context.name)) {
    if (!(value instanceof SafeUrl)) throw new TemplateContextError(`${context.name} takes a safeUrl()`);
    return escapeHtml(value.value);
  }
  if (value instanceof SafeUrl) return escapeHtml(value.value);
  if (value instanceof SafeHtml) {
    if (context.kind === 'attribute') throw new TemplateContextError('Markup cannot go into an attribute');
    return value.value;
  }
  if (Array.isArray(value)) {
    if (context.kind === 'attribute') throw new TemplateContextError('Markup cannot go into an attribute');
    return value.map((item) => item.value).join('');
  }
  return escapeHtml(String(value));
}

/** The tagged template: static markup as written, every value escaped for its context. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let markup = strings[0] ?? '';
  values.forEach((value, index) => {
    markup += render(value, contextAfter(markup));
    markup += strings[index + 1] ?? '';
  });
  return new SafeHtml(markup);
}
