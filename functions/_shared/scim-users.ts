import type { ProvisioningOperation } from '../../contract/metrics';
import { parseAttributeList, projectResource } from '../../core/scim/projection';
import { etagOf, type UserRecord, userLocation, userRepresentation } from '../../core/scim/user-record';
import type { UsersContext } from '../../core/scim/users';
import { queryParam } from './http-event';
import { recordProvisioningOperation } from './metrics';
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
 * A single User response (RFC 7644 §3.3, §3.4.1, §3.5): the representation, projected by the request's
 * `attributes` / `excludedAttributes` (RFC 7644 §3.9), with its version as the ETag (§3.14).
 */
export function userResult(request: ScimRequest, record: UserRecord, status = 200): ScimResult {
  const attributes = parseAttributeList(queryParam(request, 'attributes'));
  const excludedAttributes = parseAttributeList(queryParam(request, 'excludedAttributes'));
  const body = projectResource(userRepresentation(record, request.scimBaseUrl), {
    ...(attributes ? { attributes } : {}),
    ...(excludedAttributes ? { excludedAttributes } : {}),
  });
  return {
    status,
    body,
    headers: {
      ETag: etagOf(record),
      ...(status === 201 ? { Location: userLocation(request.scimBaseUrl, record.id) } : {}),
    },
  };
}

/** The `{id}` path parameter (API Gateway has already percent-decoded it). */
export const userIdOf = (request: ScimRequest): string => request.pathParams.id ?? '';

export const ifMatchOf = (request: ScimRequest): string | undefined => request.headers['if-match'];
