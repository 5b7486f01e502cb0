import { schemaById } from '../../core/scim/discovery';
import { notFound } from '../../core/scim/errors';
import { scimRoute } from '../_shared/scim-route';

/** GET /scim/v2/Schemas/{id}: one schema by its URN (RFC 7644 §4). */
export const handler = scimRoute(async (request) => {
  const id = request.pathParams.id ?? '';
  const schema = schemaById(id, request.scimBaseUrl);
  if (!schema) throw notFound(`Schema ${id} not found`);
  return { status: 200, body: schema };
});
