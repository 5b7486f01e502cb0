import { serviceProviderConfig } from '../../core/scim/service-provider-config';
import { scimRoute } from '../_shared/scim-route';

/** GET /scim/v2/ServiceProviderConfig: RFC 7644 §4, RFC 7643 §5. */
export const handler = scimRoute(async (request) => ({
  status: 200,
  body: serviceProviderConfig(request.scimBaseUrl),
}));
