// ServiceAccount tokens (TokenRequest): JWTs signed with the cluster's service-account key,
// with kube-apiserver's claims, and their review (TokenReview).
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { ApiError } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { nowRFC3339 } from '../../api/types.js';
import type { Cluster } from '../cluster.js';
import type { RequestContext } from '../registry/strategy.js';

export const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const DEFAULT_AUDIENCE = ISSUER;

function b64url(b: Buffer | string): string {
  return Buffer.from(b).toString('base64url');
}

function algOf(key: KeyObject): string {
  return key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256';
}

export function signJWT(privateKeyPem: string, claims: Obj): string {
  const key = createPrivateKey(privateKeyPem);
  const alg = algOf(key);
  // the key id is the same the JWKS (/openid/v1/jwks) publishes: sha256 of the public key
  const kid = createHash('sha256').update(createPublicKey(key).export({ format: 'der', type: 'spki' })).digest('base64url');
  const head = b64url(JSON.stringify({ alg, kid }));
  const body = b64url(JSON.stringify(claims));
  const sig = sign(alg === 'ES256' ? 'sha256' : 'RSA-SHA256', Buffer.from(`${head}.${body}`), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${head}.${body}.${b64url(sig)}`;
}

export function verifyJWT(publicKeyPem: string, token: string): Obj | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const key = createPublicKey(publicKeyPem);
    const alg = algOf(key);
    const ok = verify(alg === 'ES256' ? 'sha256' : 'RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, Buffer.from(parts[2], 'base64url'));
    if (!ok) return undefined;
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Obj;
  } catch {
    return undefined;
  }
}

export async function createTokenRequest(cluster: Cluster, sa: Obj, tr: Obj, ctx: RequestContext): Promise<Obj> {
  const key = cluster.serviceAccountKey;
  if (!key) throw new ApiError(503, 'ServiceUnavailable', 'the service account token issuer is not configured');
  const spec = tr.spec ?? {};
  const exp = Number(spec.expirationSeconds ?? 3600);
  if (!Number.isInteger(exp) || exp < 600) {
    throw new ApiError(422, 'Invalid', `TokenRequest.authentication.k8s.io "${sa.metadata.name}" is invalid: spec.expirationSeconds: Invalid value: ${exp}: may not specify a duration less than 10 minutes`);
  }
  const ref = spec.boundObjectRef;
  if (ref) {
    const plural = ref.kind === 'Pod' ? 'pods' : ref.kind === 'Secret' ? 'secrets' : ref.kind === 'Node' ? 'nodes' : '';
    if (!plural) throw new ApiError(422, 'Invalid', `TokenRequest.authentication.k8s.io "${sa.metadata.name}" is invalid: spec.boundObjectRef.kind: Unsupported value: "${ref.kind}": supported values: "Pod", "Secret", "Node"`);
    const bound = await cluster.registryByName('', plural).get(plural === 'nodes' ? '' : sa.metadata.namespace, ref.name);
    if (ref.uid && ref.uid !== bound.metadata.uid) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${plural} "${ref.name}": the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    spec.boundObjectRef = { ...ref, uid: bound.metadata.uid, apiVersion: ref.apiVersion ?? 'v1' };
  }
  const now = Math.floor(ctx.now.getTime() / 1000);
  const audiences: string[] = spec.audiences?.length ? spec.audiences : [DEFAULT_AUDIENCE];
  const claims: Obj = {
    aud: audiences, exp: now + exp, iat: now, nbf: now, iss: ISSUER, jti: randomUUID(),
    sub: `system:serviceaccount:${sa.metadata.namespace}:${sa.metadata.name}`,
    'kubernetes.io': {
      namespace: sa.metadata.namespace,
      serviceaccount: { name: sa.metadata.name, uid: sa.metadata.uid },
      ...(spec.boundObjectRef ? { [String(spec.boundObjectRef.kind).toLowerCase()]: { name: spec.boundObjectRef.name, uid: spec.boundObjectRef.uid } } : {}),
    },
  };
  return {
    kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: sa.metadata.name, namespace: sa.metadata.namespace, creationTimestamp: null },
    spec: { audiences, expirationSeconds: exp, boundObjectRef: spec.boundObjectRef ?? null },
    status: { token: signJWT(key.privateKeyPem, claims), expirationTimestamp: nowRFC3339(new Date((now + exp) * 1000)) },
  };
}

export async function reviewToken(cluster: Cluster, token: string, audiences?: string[]): Promise<Obj> {
  const key = cluster.serviceAccountKey;
  const claims = key ? verifyJWT(key.publicKeyPem, token) : undefined;
  const now = Date.now() / 1000;
  if (!claims || claims.iss !== ISSUER || (claims.exp && claims.exp < now)) {
    return { authenticated: false, error: 'invalid bearer token, token could not be authenticated', user: {} };
  }
  const aud: string[] = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const wanted = audiences?.length ? audiences : [DEFAULT_AUDIENCE];
  const match = wanted.filter((a) => aud.includes(a));
  if (match.length === 0) return { authenticated: false, error: 'token audiences do not match', user: {} };
  const k = claims['kubernetes.io'] ?? {};
  return {
    authenticated: true, audiences: match,
    user: {
      username: claims.sub, uid: k.serviceaccount?.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`, 'system:authenticated'],
    },
  };
}

/** The user a valid, unexpired ServiceAccount token authenticates as. */
export function serviceAccountUser(publicKeyPem: string, token: string): { username: string; groups: string[]; uid?: string } | undefined {
  const claims = verifyJWT(publicKeyPem, token);
  if (!claims || claims.iss !== ISSUER || (claims.exp && claims.exp < Date.now() / 1000)) return undefined;
  const k = claims['kubernetes.io'] ?? {};
  if (typeof claims.sub !== 'string' || !k.namespace) return undefined;
  return { username: claims.sub, uid: k.serviceaccount?.uid, groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`, 'system:authenticated'] };
}
