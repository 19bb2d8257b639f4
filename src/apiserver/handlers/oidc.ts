// ServiceAccount issuer discovery: the OpenID configuration and the JWKS that verify
// ServiceAccount tokens, as kube-apiserver serves them.
import { createHash, createPublicKey } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ApiError } from '../../api/errors.js';
import { sendJSON } from '../http.js';
import { ISSUER } from './token.js';

export function serveOIDC(res: ServerResponse, path: string, publicKeyPem: string | undefined, externalURL: string): void {
  if (!publicKeyPem) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  const key = createPublicKey(publicKeyPem);
  const alg = key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256';
  if (path === '/openid/v1/jwks') {
    const jwk = key.export({ format: 'jwk' });
    const kid = createHash('sha256').update(key.export({ format: 'der', type: 'spki' })).digest('base64url');
    sendJSON(res, 200, { keys: [{ use: 'sig', ...jwk, kid, alg }] }, { 'Content-Type': 'application/jwk-set+json' });
    return;
  }
  sendJSON(res, 200, {
    issuer: ISSUER,
    jwks_uri: `${externalURL}/openid/v1/jwks`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [alg],
  });
}
