import type { ProvisioningOperation } from '../../contract/metrics';
import { groupsOfUser } from '../../core/scim/groups';
import { type Projection, parseAttributeList, projectResource } from '../../core/scim/projection';
import { etagOf, type UserRecord, userLocation, userRepresentation } from '../../core/scim/user-record';
import { CORE_USER_SCHEMA } from '../../core/scim/user-schema';
import type { UsersContext } from '../../core/scim/users';
import { noteActivity } from './activity';
import { queryParam } from './http-event';
import { recordProvisioningOperation } from './metrics';
import { groupsContext } from './scim-groups';
import { type ScimRequest, type ScimResult, tenantOf } from './scim-route';
import { userStore } from './services';

/**
 * The tenant-scoped Users context for one request, which also counts the request as a provisioning operation
 * for the operators' dashboard (and a deactivation or reactivation when a write flips `active`).
 */
export function usersContext(request: ScimRequest, operation: ProvisioningOperation): UsersContext {
  const tenantId = tenantOf(request);
  recordProvisioningOperation(operation, tenantId);
  return {
    store: userStore(),
    tenantId,
    onActiveChange: (active) => recordProvisioningOperation(active ? 'reactivate' : 'deactivate', tenantId),
  };
}

/**
 * A single User response (RFC 7644 §3.3, §3.4.1, §3.5): the representation with its read-only `groups`
 * (RFC 7643 §4.1.2; one Query of the user's memberships, skipped for a new user, who has none, and when the
 * projection hides them), projected by the request's `attributes` / `excludedAttributes` (RFC 7644 §3.9), with
 * its version as the ETag (§3.14).
 */
export async function userResult(request: ScimRequest, record: UserRecord, status = 200): Promise<ScimResult> {
  noteActivity({ userId: record.id, userName: record.attributes.userName });
  const attributes = parseAttributeList(queryParam(request, 'attributes'));
  const excludedAttributes = parseAttributeList(queryParam(request, 'excludedAttributes'));
  const projection: Projection = {
    ...(attributes ? { attributes } : {}),
    ...(excludedAttributes ? { excludedAttributes } : {}),
  };
  const groups =
    status === 201 || !showsGroups(projection)
      ? []
      : await groupsOfUser(groupsContext(request), record.id, request.scimBaseUrl);
  const body = projectResource(withGroups(userRepresentation(record, request.scimBaseUrl), groups), projection);
  return {
    status,
    body,
    headers: {
      ETag: etagOf(record),
      ...(status === 201 ? { Location: userLocation(request.scimBaseUrl, record.id) } : {}),
    },
  };
}

const showsGroups = (projection: Projection): boolean =>
  'groups' in
  projectResource(
    { schemas: [CORE_USER_SCHEMA], id: '', groups: [{ value: '', $ref: '', display: '', type: '' }] },
    projection,
  );

/** The representation with `groups` among the core attributes (before the extensions and `meta`); none: omitted. */
function withGroups(
  representation: Record<string, unknown>,
  groups: Record<string, unknown>[],
): Record<string, unknown> {
  if (groups.length === 0) return representation;
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(representation)) {
    if (!('groups' in output) && (key === 'meta' || key.startsWith('urn:'))) output.groups = groups;
    output[key] = value;
  }
  return output;
}

/**
 * List pages carry `groups` only when `attributes` asks for them: one Query per listed user is more than an
 * import page should cost, and neither Okta nor Entra reads a user's groups from a list.
 */
export async function addRequestedGroups(
  request: ScimRequest,
  body: Record<string, unknown>,
  projection: Projection,
): Promise<Record<string, unknown>> {
  const asked = projection.attributes?.some((selector) => selector.attribute === 'groups' && !selector.container);
  if (!asked || !Array.isArray(body.Resources)) return body;
  const context = groupsContext(request);
  const resources = body.Resources as Record<string, unknown>[];
  await Promise.all(
    resources.map(async (resource) => {
      const groups = await groupsOfUser(context, String(resource.id), request.scimBaseUrl);
      const projected = projectResource({ schemas: [CORE_USER_SCHEMA], id: resource.id, groups }, projection).groups;
      if (Array.isArray(projected) && projected.length > 0) resource.groups = projected;
    }),
  );
  return body;
}

/** The `{id}` path parameter (API Gateway has already percent-decoded it). */
export const userIdOf = (request: ScimRequest): string => request.pathParams.id ?? '';

export const ifMatchOf = (request: ScimRequest): string | undefined => request.headers['if-match'];
