import { userAttributesFromResource } from '../../core/scim/user-attributes';
import { DEFAULT_ACCESS, type UserRecord, userRepresentation } from '../../core/scim/user-record';
import { CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from '../../core/scim/user-schema';

export const BASE_URL = 'https://scim.example.test/scim/v2';

/** Okta's create body, as captured (okta-scim §1.4), with the enterprise extension mapped. */
export const oktaCreateBody = (userName = 'jane.doe@example.com') => ({
  schemas: [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
  userName,
  name: { givenName: 'Jane', familyName: 'Doe' },
  emails: [{ primary: true, value: userName, type: 'work' }],
  displayName: 'Jane Doe',
  locale: 'en_US',
  externalId: '00uv931EiyRsnwOGa0g3',
  groups: [],
  password: '4a9XuKkx',
  active: true,
  [ENTERPRISE_USER_SCHEMA]: { department: 'Research', manager: { value: 'boss-id' } },
});

export function recordOf(body: unknown = oktaCreateBody(), overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: '01jd0000000000000000000000',
    version: 3,
    created: '2024-05-01T10:00:00.000Z',
    lastModified: '2024-05-02T10:00:00.000Z',
    attributes: userAttributesFromResource(body),
    access: DEFAULT_ACCESS,
    ...overrides,
  };
}

export const representationOf = (body: unknown = oktaCreateBody(), overrides: Partial<UserRecord> = {}) =>
  userRepresentation(recordOf(body, overrides), BASE_URL);

/** Runs a function expected to throw a ScimError and returns its status, scimType and detail. */
export function scimErrorOf(run: () => unknown): { status: number; scimType?: string; detail: string } {
  try {
    run();
  } catch (error) {
    const scimError = error as { name?: string; status: number; scimType?: string; detail: string };
    if (scimError.name !== 'ScimError') throw error;
    return { status: scimError.status, scimType: scimError.scimType, detail: scimError.detail };
  }
  throw new Error('expected a ScimError, but nothing was thrown');
}
