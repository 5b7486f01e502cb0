import { renderPage, securityHeaders } from '../../../core/html/page';
import { escapeHtml, html, safeUrl, TemplateContextError } from '../../../core/html/template';

describe('the HTML template', () => {
  test('escapes text content and quoted attribute values', () => {
    const value = `<script>alert("x")</script> & 'quotes' \`ticks\``;
    expect(html`<p title="${value}">${value}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; &#96;ticks&#96;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; &#96;ticks&#96;</p>',
    );
  });

  test('inserts nested templates and lists of them as markup, once escaped inside', () => {
    const items = ['<b>', 'ok'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${html`<p>${'&'}</p>`}`.value).toBe(
      '<ul><li>&lt;b&gt;</li><li>ok</li></ul><p>&amp;</p>',
    );
  });

  test('renders nothing for undefined, null and false', () => {
    expect(html`<p>${undefined}${null}${false}</p>`.value).toBe('<p></p>');
  });

  test.each([
    ['an unquoted attribute', (value: string) => html`<input value=${value}>`],
    ['a tag name position', (value: string) => html`<p ${value}>`],
    ['a script element', (value: string) => html`<script>var x = "${value}";</script>`],
    ['a style element', (value: string) => html`<style>p{color:${value}}</style>`],
  ])('refuses a value in %s', (_context, render) => {
    expect(() => render('x')).toThrow(TemplateContextError);
  });

  test('URL attributes take only a checked http(s) URL or same-origin path', () => {
    expect(html`<a href="${safeUrl('https://example.com/a?b=1&c=2')}">x</a>`.value).toBe(
      '<a href="https://example.com/a?b=1&amp;c=2">x</a>',
    );
    expect(html`<form action="${safeUrl('/oauth/authorize')}"></form>`.value).toBe(
      '<form action="/oauth/authorize"></form>',
    );
    expect(() => html`<a href="${'https://example.com'}">x</a>`).toThrow(TemplateContextError);
    expect(() => safeUrl('javascript:alert(1)')).toThrow(TemplateContextError);
    expect(() => safeUrl('data:text/html,<p>')).toThrow(TemplateContextError);
    expect(() => safeUrl('//evil.example/x')).toThrow(TemplateContextError);
    expect(() => html`<a href="https://example.com/${safeUrl('/x')}">x</a>`).toThrow(TemplateContextError);
  });

  test('markup cannot be put into an attribute', () => {
    expect(() => html`<p title="${html`<b>`}"></p>`).toThrow(TemplateContextError);
  });

  test('escapeHtml leaves ordinary text alone', () => {
    expect(escapeHtml('Acme Corporation — ünïcödé')).toBe('Acme Corporation — ünïcödé');
  });
});

describe('the page frame', () => {
  test('allows its own inline style by hash and nothing else', () => {
    const headers = securityHeaders(['https://system-admin.okta.com']);
    const csp = headers['Content-Security-Policy'] as string;
    expect(csp).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; form-action 'self' https:\/\/system-admin\.okta\.com; frame-ancestors 'none'; base-uri 'none'$/,
    );
    const page = renderPage({ title: 'T <x>', body: html`<p>b</p>` });
    expect(page.html).toContain('<title>T &lt;x&gt; – SCIM Provisioning Service</title>');
    expect(page.headers['Content-Security-Policy']).toContain("form-action 'self';");
  });
});
