// The fields of a KubeletConfiguration (kubelet.config.k8s.io/v1beta1) and their Go types,
// so a file is decoded strictly as the kubelet decodes it: an unknown field or a value of
// the wrong type is an error naming the field. Fields skiff does not act on are still
// known (a real kubelet's config file loads unchanged).

export type FieldType =
  | 'string' | 'int32' | 'int64' | 'bool' | 'float64' | 'Duration'
  | 'map[string]string' | 'map[string]bool' | '[]string' | '[]int32' | 'any'
  | { object: Schema; goType: string }
  | { list: Schema; goType: string };

export type Schema = Record<string, FieldType>;

const obj = (goType: string, object: Schema): FieldType => ({ object, goType });
const list = (goType: string, item: Schema): FieldType => ({ list: item, goType });

export const KUBELET_CONFIGURATION: Schema = {
  apiVersion: 'string', kind: 'string',
  enableServer: 'bool', staticPodPath: 'string', podLogsDir: 'string', syncFrequency: 'Duration', fileCheckFrequency: 'Duration',
  httpCheckFrequency: 'Duration', staticPodURL: 'string', staticPodURLHeader: 'any', address: 'string', port: 'int32', readOnlyPort: 'int32',
  tlsCertFile: 'string', tlsPrivateKeyFile: 'string', tlsCipherSuites: '[]string', tlsCurvePreferences: '[]int32', tlsMinVersion: 'string',
  rotateCertificates: 'bool', serverTLSBootstrap: 'bool',
  authentication: obj('KubeletAuthentication', {
    x509: obj('KubeletX509Authentication', { clientCAFile: 'string' }),
    webhook: obj('KubeletWebhookAuthentication', { enabled: 'bool', cacheTTL: 'Duration' }),
    anonymous: obj('KubeletAnonymousAuthentication', { enabled: 'bool' }),
  }),
  authorization: obj('KubeletAuthorization', {
    mode: 'string',
    webhook: obj('KubeletWebhookAuthorization', { cacheAuthorizedTTL: 'Duration', cacheUnauthorizedTTL: 'Duration' }),
  }),
  registryPullQPS: 'int32', registryBurst: 'int32', imagePullCredentialsVerificationPolicy: 'string', preloadedImagesVerificationAllowlist: '[]string',
  eventRecordQPS: 'int32', eventBurst: 'int32', enableDebuggingHandlers: 'bool', enableContentionProfiling: 'bool', healthzPort: 'int32',
  healthzBindAddress: 'string', oomScoreAdj: 'int32', clusterDomain: 'string', clusterDNS: '[]string', streamingConnectionIdleTimeout: 'Duration',
  nodeStatusUpdateFrequency: 'Duration', nodeStatusReportFrequency: 'Duration', nodeLeaseDurationSeconds: 'int32', imageMinimumGCAge: 'Duration',
  imageMaximumGCAge: 'Duration', imageGCHighThresholdPercent: 'int32', imageGCLowThresholdPercent: 'int32', volumeStatsAggPeriod: 'Duration',
  kubeletCgroups: 'string', systemCgroups: 'string', cgroupRoot: 'string', cgroupsPerQOS: 'bool', cgroupDriver: 'string', cpuManagerPolicy: 'string',
  singleProcessOOMKill: 'bool', cpuManagerPolicyOptions: 'map[string]string', cpuManagerReconcilePeriod: 'Duration', draManagerReconcilePeriod: 'Duration',
  memoryManagerPolicy: 'string', topologyManagerPolicy: 'string', topologyManagerScope: 'string', topologyManagerPolicyOptions: 'map[string]string',
  qosReserved: 'map[string]string', runtimeRequestTimeout: 'Duration', hairpinMode: 'string', maxPods: 'int32', podCIDR: 'string', podPidsLimit: 'int64',
  resolvConf: 'string', runOnce: 'bool', cpuCFSQuota: 'bool', cpuCFSQuotaPeriod: 'Duration', nodeStatusMaxImages: 'int32', maxOpenFiles: 'int64',
  contentType: 'string', kubeAPIQPS: 'int32', kubeAPIBurst: 'int32', serializeImagePulls: 'bool', maxParallelImagePulls: 'int32',
  evictionHard: 'map[string]string', evictionSoft: 'map[string]string', evictionSoftGracePeriod: 'map[string]string',
  evictionPressureTransitionPeriod: 'Duration', evictionMaxPodGracePeriod: 'int32', evictionMinimumReclaim: 'map[string]string',
  mergeDefaultEvictionSettings: 'bool', podsPerCore: 'int32', enableControllerAttachDetach: 'bool', protectKernelDefaults: 'bool',
  makeIPTablesUtilChains: 'bool', iptablesMasqueradeBit: 'int32', iptablesDropBit: 'int32', featureGates: 'map[string]bool', failSwapOn: 'bool',
  memorySwap: obj('MemorySwapConfiguration', { swapBehavior: 'string' }),
  containerLogMaxSize: 'string', containerLogMaxFiles: 'int32', containerLogMaxWorkers: 'int32', containerLogMonitorInterval: 'Duration',
  configMapAndSecretChangeDetectionStrategy: 'string', systemReserved: 'map[string]string', kubeReserved: 'map[string]string',
  reservedSystemCPUs: 'string', showHiddenMetricsForVersion: 'string', systemReservedCgroup: 'string', kubeReservedCgroup: 'string',
  enforceNodeAllocatable: '[]string', allowedUnsafeSysctls: '[]string', volumePluginDir: 'string', providerID: 'string',
  kernelMemcgNotification: 'bool', logging: 'any', enableSystemLogHandler: 'bool', enableSystemLogQuery: 'bool',
  shutdownGracePeriod: 'Duration', shutdownGracePeriodCriticalPods: 'Duration',
  shutdownGracePeriodByPodPriority: list('ShutdownGracePeriodByPodPriority', { priority: 'int32', shutdownGracePeriodSeconds: 'int64' }),
  crashLoopBackOff: obj('CrashLoopBackOffConfig', { maxContainerRestartPeriod: 'Duration' }),
  reservedMemory: 'any', enableProfilingHandler: 'bool', enableDebugFlagsHandler: 'bool', seccompDefault: 'bool', memoryThrottlingFactor: 'float64',
  memoryReservationPolicy: 'string',
  registerWithTaints: list('Taint', { key: 'string', value: 'string', effect: 'string', timeAdded: 'string' }),
  registerNode: 'bool', tracing: 'any', localStorageCapacityIsolation: 'bool', containerRuntimeEndpoint: 'string', imageServiceEndpoint: 'string',
  failCgroupV1: 'bool', userNamespaces: obj('UserNamespaces', { idsPerPod: 'int64' }),
};

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("1m30s", "100ms", "0") in milliseconds; throws with Go's message. */
export function parseGoDuration(s: string): number {
  const bad = (): Error => new Error(`time: invalid duration ${JSON.stringify(s)}`);
  let rest = s.trim();
  let sign = 1;
  if (rest[0] === '-' || rest[0] === '+') { if (rest[0] === '-') sign = -1; rest = rest.slice(1); }
  if (rest === '0') return 0;
  if (!rest) throw bad();
  let total = 0;
  while (rest) {
    const m = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!m) throw bad();
    total += Number(m[1]) * UNITS[m[2]];
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

function goKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number';
  return typeof v;
}

/**
 * Checks a decoded document against a schema; returns the errors (each naming the field
 * path as Go's decoders do: unknown fields first, as the strict decoder reports them).
 */
export function checkSchema(doc: Record<string, unknown>, schema: Schema, goStruct: string, path = ''): string[] {
  const unknown: string[] = [];
  const typeErrs: string[] = [];
  for (const [k, v] of Object.entries(doc)) {
    const p = path ? `${path}.${k}` : k;
    const t = schema[k];
    if (!t) { unknown.push(`unknown field ${JSON.stringify(p)}`); continue; }
    if (v === null || t === 'any') continue;
    const wrong = (goType: string): void => { typeErrs.push(`json: cannot unmarshal ${goKind(v)} into Go struct field ${goStruct}.${p} of type ${goType}`); };
    if (typeof t === 'object') {
      if ('object' in t) {
        if (typeof v !== 'object' || Array.isArray(v)) wrong(t.goType);
        else { const sub = checkSchema(v as Record<string, unknown>, t.object, goStruct, p); for (const e of sub) (e.startsWith('unknown') ? unknown : typeErrs).push(e); }
      } else {
        if (!Array.isArray(v)) wrong(`[]${t.goType}`);
        else v.forEach((item, i) => {
          if (typeof item !== 'object' || item === null || Array.isArray(item)) { typeErrs.push(`json: cannot unmarshal ${goKind(item)} into Go struct field ${goStruct}.${p} of type ${t.goType}`); return; }
          const sub = checkSchema(item as Record<string, unknown>, t.list, goStruct, `${p}[${i}]`);
          for (const e of sub) (e.startsWith('unknown') ? unknown : typeErrs).push(e);
        });
      }
      continue;
    }
    switch (t) {
      case 'string': if (typeof v !== 'string') wrong(t); break;
      case 'bool': if (typeof v !== 'boolean') wrong(t); break;
      case 'float64': if (typeof v !== 'number') wrong(t); break;
      case 'int32': case 'int64': if (typeof v !== 'number' || !Number.isInteger(v)) wrong(t); break;
      case 'Duration':
        if (typeof v !== 'string') wrong('v1.Duration');
        else try { parseGoDuration(v); } catch (e) { typeErrs.push(`${p}: ${(e as Error).message}`); }
        break;
      case '[]string': if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) wrong(t); break;
      case '[]int32': if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isInteger(x))) wrong(t); break;
      case 'map[string]string': if (typeof v !== 'object' || Array.isArray(v) || Object.values(v as object).some((x) => typeof x !== 'string')) wrong(t); break;
      case 'map[string]bool': if (typeof v !== 'object' || Array.isArray(v) || Object.values(v as object).some((x) => typeof x !== 'boolean')) wrong(t); break;
    }
  }
  return [...unknown, ...typeErrs];
}
