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
