import { publicJwks } from '../../core/oauth/jwks';
import { publicJsonDocument } from '../_shared/public-document';
import { verificationKeys } from '../_shared/services';

/**
 * GET /.well-known/jwks.json: RFC 7517 §5, the public half of every published key (the signing key first, and
 * during a rotation the next or previous one), cacheable for five minutes.
 */
export const handler = publicJsonDocument(300, async () => publicJwks(await verificationKeys()));
