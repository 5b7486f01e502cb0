import { authorizationServerMetadata } from '../../core/oauth/metadata';
import { publicBaseUrl } from '../_shared/config';
import { publicJsonDocument } from '../_shared/public-document';

/** GET /.well-known/oauth-authorization-server: RFC 8414 §3, cacheable for five minutes. */
export const handler = publicJsonDocument(300, async () => authorizationServerMetadata(publicBaseUrl()));
