import { resourceTypeById } from '../../core/scim/discovery';
import { notFound } from '../../core/scim/errors';
import { scimRoute } from '../_shared/scim-route';

/** GET /scim/v2/ResourceTypes/{id} (RFC 7644 §4). */
export const handler = scimRoute(async (request) => {
  const id = request.pathParams.id ?? '';
  const resourceType = resourceTypeById(id, request.scimBaseUrl);
  if (!resourceType) throw notFound(`Resource type ${id} not found`);
  return { status: 200, body: resourceType };
});
