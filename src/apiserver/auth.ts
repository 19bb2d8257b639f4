// Authentication (x509 client certificates, ServiceAccount bearer tokens), impersonation
// (Impersonate-* headers, as kubectl --as sends them) and the Forbidden text RBAC gives.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { ApiError } from '../api/errors.js';
import { serviceAccountUser } from './handlers/token.js';
import type { LoopbackListener } from './loopback.js';
import type { RequestInfo } from './requestinfo.js';
import type { UserInfo } from './registry/strategy.js';

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

const certUsers = new WeakMap<TLSSocket, UserInfo>();

/**
 * Loopback tokens (in-process clients), then bearer ServiceAccount tokens, then client
 * certificates (CN user, O groups); else anonymous.
 */
export function authenticate(req: IncomingMessage, saPublicKey?: string, loopback?: LoopbackListener): UserInfo {
  const lb = loopback?.userFor(req);
  if (lb) return lb;
  const auth = req.headers.authorization;
  if (auth && /^bearer /i.test(auth) && saPublicKey) {
    const u = serviceAccountUser(saPublicKey, auth.slice(7).trim());
    if (u) return u;
    throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  }
  const sock = req.socket as TLSSocket;
  // the certificate is fixed for the connection: parse it once per socket, not per request
  let user = certUsers.get(sock);
  if (!user) {
    user = ANONYMOUS;
    if (sock.authorized) {
      const cert = sock.getPeerCertificate();
      if (cert && cert.subject) {
        const o = cert.subject.O;
        const groups = Array.isArray(o) ? o : o ? [o] : [];
        user = { username: String(cert.subject.CN ?? ''), groups: [...groups, 'system:authenticated'] };
      }
    }
    certUsers.set(sock, user);
  }
  return user;
}

/**
 * Impersonate-User / -Group / -Uid / -Extra-*: the request then acts as that user. Until RBAC
 * is enforced every authenticated user may impersonate; anonymous users may not.
 */
export function impersonate(req: IncomingMessage, user: UserInfo): UserInfo {
  const h = req.headers;
  const name = h['impersonate-user'];
  const groups = h['impersonate-group'];
  const uid = h['impersonate-uid'];
  const extraKeys = Object.keys(h).filter((k) => k.startsWith('impersonate-extra-'));
  if (name === undefined && groups === undefined && uid === undefined && extraKeys.length === 0) return user;
  if (!name) throw new ApiError(500, 'InternalError', 'Internal error occurred: requested impersonation of groups, uid or extra without impersonating a user');
  if (user === ANONYMOUS) {
    throw new ApiError(403, 'Forbidden', `users "${name}" is forbidden: User "system:anonymous" cannot impersonate resource "users" in API group "" at the cluster scope`);
  }
  const username = String(name);
  const gs = (Array.isArray(groups) ? groups : groups ? String(groups).split(',') : []).map((g) => g.trim()).filter(Boolean);
  // a service account user is in its groups implicitly, as upstream adds them
  const sa = /^system:serviceaccount:([^:]+):/.exec(username);
  if (sa) gs.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
  if (username !== 'system:anonymous' && !gs.includes('system:authenticated')) gs.push('system:authenticated');
  const extra: Record<string, string[]> = {};
  for (const k of extraKeys) {
    const v = h[k];
    extra[decodeURIComponent(k.slice('impersonate-extra-'.length))] = (Array.isArray(v) ? v : String(v).split(',')).map((x) => x.trim());
  }
  return { username, groups: gs, ...(uid ? { uid: String(uid) } : {}), ...(extraKeys.length ? { extra } : {}) };
}

/** RBAC's denial text: `pods is forbidden: User "u" cannot list resource "pods" in API group "" in the namespace "ns"`. */
export function forbiddenFor(user: UserInfo, info: RequestInfo): ApiError {
  if (!info.isResourceRequest) {
    return new ApiError(403, 'Forbidden', `forbidden: User "${user.username}" cannot ${info.verb} path "${info.path}"`, {});
  }
  const res = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const qualified = info.group ? `${info.resource}.${info.group}` : info.resource;
  const what = info.name ? `${qualified} "${info.name}"` : qualified;
  const scope = info.namespace ? `in the namespace "${info.namespace}"` : 'at the cluster scope';
  return new ApiError(403, 'Forbidden',
    `${what} is forbidden: User "${user.username}" cannot ${info.verb} resource "${res}" in API group "${info.group}" ${scope}`,
    { name: info.name || undefined, group: info.group || undefined, kind: info.resource });
}
