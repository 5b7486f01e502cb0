import { schemasList } from '../../core/scim/discovery';
import { scimRoute } from '../_shared/scim-route';

/** GET /scim/v2/Schemas (RFC 7644 §4, RFC 7643 §7). */
export const handler = scimRoute(async (request) => ({ status: 200, body: schemasList(request.scimBaseUrl) }));
