import { MAX_JSON_BODY_BYTES } from '../http/json-body';

/** Page size when the client sends no `count` (Okta always sends 100 on import). */
export const DEFAULT_PAGE_SIZE = 100;

/** `filter.maxResults` and the cap on `count` (RFC 7644 §3.4.2.4); keeps a page far below Lambda's 6 MB. */
export const MAX_PAGE_SIZE = 200;

export const MAX_SCIM_BODY_BYTES = MAX_JSON_BODY_BYTES;
