import { resourceTypesList } from '../../core/scim/discovery';
import { scimRoute } from '../_shared/scim-route';

/** GET /scim/v2/ResourceTypes (RFC 7644 §4, RFC 7643 §6). */
export const handler = scimRoute(async (request) => ({ status: 200, body: resourceTypesList(request.scimBaseUrl) }));
