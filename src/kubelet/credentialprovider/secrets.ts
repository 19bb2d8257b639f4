// A pod's image pull secrets as a keyring (the kubelet's credentialprovider/secrets):
// a kubernetes.io/dockerconfigjson secret's ".dockerconfigjson" ({"auths": {...}}) and a
// kubernetes.io/dockercfg secret's ".dockercfg" ({...}); other secrets add nothing. An
// entry's "auth" (base64 "user:pass") overrides its username and password. A secret that
// does not parse fails the whole pull, as the kubelet's does.

import type { Obj } from '../../api/types.js';
import { DockerKeyring, type RegistryAuth } from './keyring.js';

export const DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
export const DOCKER_CFG = 'kubernetes.io/dockercfg';

/** Decodes an entry's "auth": padded or unpadded base64 of "username:password". */
export function decodeAuthField(field: string): { username: string; password: string } {
  const s = field.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || (s.endsWith('=') && s.length % 4 !== 0) || s.length % 4 === 1) {
    throw new Error('illegal base64 data at input byte 0');
  }
  const text = Buffer.from(s, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) throw new Error('unable to parse auth field, must be formatted as base64(username:password)');
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** A docker config ({location: entry}) decoded into credentials by location. */
export function parseDockerConfig(cfg: unknown): Map<string, RegistryAuth> {
  const out = new Map<string, RegistryAuth>();
  if (cfg === null || cfg === undefined) return out;
  if (typeof cfg !== 'object' || Array.isArray(cfg)) throw new Error('json: cannot unmarshal into Go value of type credentialprovider.DockerConfig');
  for (const [location, raw] of Object.entries(cfg as Record<string, unknown>)) {
    const e = (raw ?? {}) as Obj;
    const str = (v: unknown): string => (typeof v === 'string' ? v : '');
    let auth: RegistryAuth = { username: str(e.username), password: str(e.password), email: str(e.email) || undefined };
    if (str(e.auth)) auth = { ...auth, ...decodeAuthField(str(e.auth)) };
    out.set(location, auth);
  }
  return out;
}

function secretBytes(secret: Obj, key: string): string | undefined {
  const b64 = secret.data?.[key];
  if (typeof b64 === 'string' && b64.length) return Buffer.from(b64, 'base64').toString('utf8');
  const plain = secret.stringData?.[key];
  return typeof plain === 'string' && plain.length ? plain : undefined;
}

/** The keyring of a pod's pull secrets (in the pod's order); throws when a secret does not parse. */
export function keyringFromSecrets(secrets: Obj[]): DockerKeyring {
  const ring = new DockerKeyring();
  for (const s of secrets) {
    const json = s.type === DOCKER_CONFIG_JSON ? secretBytes(s, '.dockerconfigjson') : undefined;
    const cfg = json === undefined && s.type === DOCKER_CFG ? secretBytes(s, '.dockercfg') : undefined;
    if (json !== undefined) ring.add(parseDockerConfig((JSON.parse(json) as Obj)?.auths));
    else if (cfg !== undefined) ring.add(parseDockerConfig(JSON.parse(cfg)));
  }
  return ring;
}
