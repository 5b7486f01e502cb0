import { publicJwks } from '../../core/oauth/jwks';
import { publicJsonDocument } from '../_shared/public-document';
import { tokenSigner } from '../_shared/token-signer';

/** GET /.well-known/jwks.json: RFC 7517 §5, our token signing key's public half, cacheable for five minutes. */
export const handler = publicJsonDocument(300, async () => publicJwks([await tokenSigner().publicJwk()]));
