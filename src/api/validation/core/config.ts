// ConfigMaps, Secrets and ServiceAccounts.

import { fe, immutable, type FieldError } from '../../errors.js';
import type { Obj } from '../../types.js';
import { isConfigMapKey, nameIsDNSSubdomain } from '../names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../meta.js';
import { key, obj, semanticEqual, str } from '../util.js';

/** Data plus binaryData (or a Secret's data) may not exceed 1 MiB in total. */
export const MAX_SECRET_SIZE = 1024 * 1024;

function byteLen(v: unknown): number {
  return typeof v === 'string' ? Buffer.byteLength(v) : 0;
}

/** Decoded length of a base64 value (secret data travels base64 on the wire). */
function base64Len(v: unknown): number {
  if (typeof v !== 'string') return 0;
  const s = v.replace(/=+$/, '');
  return Math.floor((s.length * 3) / 4);
}

export function validateConfigMap(cm: Obj): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain);
  const data = obj(cm.data);
  const binary = obj(cm.binaryData);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(fe.invalid(key('data', k), k, m));
    if (k in binary) errs.push(fe.invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    total += byteLen(v);
  }
  for (const [k, v] of Object.entries(binary)) {
    for (const m of isConfigMapKey(k)) errs.push(fe.invalid(key('binaryData', k), k, m));
    total += base64Len(v);
  }
  if (total > MAX_SECRET_SIZE) errs.push(fe.tooLong('', '', MAX_SECRET_SIZE));
  return errs;
}

function immutableData(newObj: Obj, oldObj: Obj, fields: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (oldObj.immutable !== true) return errs;
  if (newObj.immutable !== true) errs.push(fe.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (!semanticEqual(newObj[f], oldObj[f])) errs.push(fe.forbidden(f, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export function validateConfigMapUpdate(cm: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(cm.metadata, old.metadata);
  errs.push(...immutableData(cm, old, ['data', 'binaryData']));
  errs.push(...validateConfigMap(cm));
  return errs;
}

function decodedJSONError(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const text = Buffer.from(v, 'base64').toString('utf8');
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return `json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed} into Go value of type map[string]interface {}`;
    }
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export function validateSecret(secret: Obj): FieldError[] {
  const errs = validateObjectMeta(secret.metadata, true, nameIsDNSSubdomain);
  const data = obj(secret.data);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(fe.invalid(key('data', k), k, m));
    total += base64Len(v);
  }
  if (total > MAX_SECRET_SIZE) errs.push(fe.tooLong('data', '', MAX_SECRET_SIZE));
  const ann = obj(obj(secret.metadata).annotations);
  switch (str(secret.type)) {
    case 'kubernetes.io/service-account-token':
      if (!str(ann['kubernetes.io/service-account.name'])) errs.push(fe.required(key('metadata.annotations', 'kubernetes.io/service-account.name')));
      break;
    case 'Opaque': case '':
      break;
    case 'kubernetes.io/dockercfg': {
      if (!('.dockercfg' in data)) { errs.push(fe.required(key('data', '.dockercfg'))); break; }
      const e = decodedJSONError(data['.dockercfg']);
      if (e) errs.push(fe.invalid(key('data', '.dockercfg'), '<secret contents redacted>', e));
      break;
    }
    case 'kubernetes.io/dockerconfigjson': {
      if (!('.dockerconfigjson' in data)) { errs.push(fe.required(key('data', '.dockerconfigjson'))); break; }
      const e = decodedJSONError(data['.dockerconfigjson']);
      if (e) errs.push(fe.invalid(key('data', '.dockerconfigjson'), '<secret contents redacted>', e));
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) {
        errs.push(fe.required(key('data', 'username')), fe.required(key('data', 'password')));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!str(data['ssh-privatekey'])) errs.push(fe.required(key('data', 'ssh-privatekey')));
      break;
    case 'kubernetes.io/tls':
      if (!('tls.crt' in data)) errs.push(fe.required(key('data', 'tls.crt')));
      if (!('tls.key' in data)) errs.push(fe.required(key('data', 'tls.key')));
      break;
    default:
      break;
  }
  return errs;
}

export function validateSecretUpdate(secret: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(secret.metadata, old.metadata);
  if (str(secret.type) !== str(old.type)) errs.push(immutable('type', str(secret.type)));
  errs.push(...immutableData(secret, old, ['data']));
  errs.push(...validateSecret(secret));
  return errs;
}

export function validateServiceAccount(sa: Obj): FieldError[] {
  return validateObjectMeta(sa.metadata, true, nameIsDNSSubdomain);
}

export function validateServiceAccountUpdate(sa: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(sa.metadata, old.metadata), ...validateServiceAccount(sa)];
}
