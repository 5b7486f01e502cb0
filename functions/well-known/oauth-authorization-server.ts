import { authorizationServerMetadata } from '../../core/oauth/metadata';
import { publicJsonDocument } from '../_shared/public-document';
import { publicBaseUrl } from '../_shared/services';

/** GET /.well-known/oauth-authorization-server: RFC 8414 §3, cacheable for five minutes. */
export const handler = publicJsonDocument(300, async () => authorizationServerMetadata(publicBaseUrl()));
