import { parameterValue, REPEATED, singleParam } from '../../core/oauth/form-params';
import { readRequest } from '../../functions/_shared/http-event';
import { parseForm } from '../../functions/_shared/oauth-route';
import { apiEvent } from '../support/api-event';

const formRequest = (body: string) =>
  readRequest(
    apiEvent('POST', '/oauth/token', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body }),
  );

describe('the OAuth form body', () => {
  test('parameters named like Object.prototype members are ordinary parameters', () => {
    const form = parseForm(formRequest('toString=a&constructor=b&__proto__=c&__proto__=d&grant_type=refresh_token'));
    expect(Object.entries(form)).toEqual([
      ['toString', ['a']],
      ['constructor', ['b']],
      ['__proto__', ['c', 'd']],
      ['grant_type', ['refresh_token']],
    ]);
    expect(form.hasOwnProperty).toBeUndefined();
  });
});

describe('RFC 6749 §3.1: a parameter is sent once, and an empty one counts as not sent', () => {
  test.each([
    [[], undefined],
    [[''], undefined],
    [['', ''], undefined],
    [['x'], 'x'],
    [['', 'x'], 'x'],
    [['x', ''], 'x'],
    [['x', 'x'], REPEATED],
    [['x', 'y'], REPEATED],
  ])('%j reads as %s, at every endpoint', (values, expected) => {
    expect(parameterValue({ p: values }, 'p')).toBe(expected);
    if (expected === REPEATED) expect(() => singleParam({ p: values }, 'p')).toThrow('must not be repeated');
    else expect(singleParam({ p: values }, 'p')).toBe(expected);
  });
});
