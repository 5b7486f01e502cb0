import { MAX_JSON_BODY_BYTES } from '../http/json-body';

/** Page size when the client sends no `count` (Okta always sends 100 on import). */
export const DEFAULT_PAGE_SIZE = 100;

/** `filter.maxResults` and the cap on `count` (RFC 7644 §3.4.2.4); keeps a page far below Lambda's 6 MB. */
export const MAX_PAGE_SIZE = 200;

export const MAX_SCIM_BODY_BYTES = MAX_JSON_BODY_BYTES;

/** Filters longer, deeper or with more terms than this are refused with `invalidFilter` before any work. */
export const MAX_FILTER_LENGTH = 2048;
export const MAX_FILTER_DEPTH = 16;
export const MAX_FILTER_TERMS = 64;

/**
 * userName, externalId and email values are stored in DynamoDB sort keys (at most 1,024 bytes), so their
 * normalised form is capped; longer values are refused with `invalidValue`.
 */
export const MAX_KEY_VALUE_BYTES = 256;

/**
 * Each email of a user is a lookup item written in the same transaction as the user (at most 100 items);
 * a user with more distinct email addresses is refused with `invalidValue`.
 */
export const MAX_EMAILS_PER_USER = 20;

/**
 * Values of any one multi-valued attribute of a user (`phoneNumbers`, `addresses`, `roles`, …); more are refused
 * with `invalidValue`. Keeps a user, and the work every request does with it, bounded.
 */
export const MAX_VALUES_PER_ATTRIBUTE = 100;

/**
 * The UTF-8 size of a user's stored attributes as JSON (an Okta or Entra user is 1–3 KB). A write that would
 * make a user bigger is refused with `invalidValue`. The bound is set by the largest list page: MAX_PAGE_SIZE
 * users, each at most doubled by the escaping of the Lambda proxy response, must stay below Lambda's 6 MB
 * response payload; DynamoDB's 400 KB item limit is then never near.
 */
export const MAX_USER_BYTES = 12 * 1024;

/** PATCH requests with more operations are refused with `invalidValue`. */
export const MAX_PATCH_OPERATIONS = 100;

/**
 * Groups: a group holds at most this many members, and one request names at most this many. A GET of a full
 * group (about 400 bytes per member at most) stays under Lambda's 6 MB response limit, and a list page carries
 * at most this many members in all.
 */
export const MAX_GROUP_MEMBERS = 10_000;

/**
 * Group bodies may carry the whole member list (Okta's PUT), so their limit is higher than other SCIM bodies'
 * but below Lambda's 6 MB request limit.
 */
export const MAX_GROUP_BODY_BYTES = 4 * 1024 * 1024;

/** A group PATCH may carry one operation per member (Okta sends up to 1,000 member changes in one request). */
export const MAX_GROUP_PATCH_OPERATIONS = 1_000;
