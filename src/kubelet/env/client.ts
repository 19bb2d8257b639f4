// EnvSources straight from the API (a GET per lookup). The kubelet core may put a cache or
// informers in front; this is the plain version, and what the tests use over FakeClient.

import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/interface.js';
import type { EnvSources } from './types.js';

const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const SECRETS = findResource('', 'v1', 'secrets')!;
const SERVICES = findResource('', 'v1', 'services')!;

async function getOrUndefined(p: Promise<Obj>): Promise<Obj | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function envSourcesFromClient(client: KubeClient): EnvSources {
  return {
    getConfigMap: (ns, name) => getOrUndefined(client.get(CONFIGMAPS, ns, name)),
    getSecret: (ns, name) => getOrUndefined(client.get(SECRETS, ns, name)),
    listServices: async (ns) => (await client.list(SERVICES, ns)).items,
  };
}
