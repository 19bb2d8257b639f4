import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { criPackage, protoPath } from './load.js';

test('the compiled module finds api.proto in the source tree', () => {
  assert.ok(existsSync(protoPath()), protoPath());
  assert.match(readFileSync(protoPath(), 'utf8'), /service RuntimeService/);
});

type Def = { type: { field: { name: string; number: number }[] } };

/** Field numbers the runtime decodes by; taken from k8s.io/cri-api runtime/v1. */
const FIELDS: [string, string, number][] = [
  ['VersionResponse', 'runtime_api_version', 4],
  ['PodSandboxConfig', 'log_directory', 3],
  ['PodSandboxConfig', 'port_mappings', 5],
  ['PodSandboxConfig', 'linux', 8],
  ['LinuxPodSandboxConfig', 'sysctls', 3],
  ['LinuxPodSandboxConfig', 'resources', 5],
  ['LinuxSandboxSecurityContext', 'run_as_group', 8],
  ['LinuxSandboxSecurityContext', 'seccomp', 9],
  ['LinuxSandboxSecurityContext', 'supplemental_groups_policy', 11],
  ['LinuxContainerSecurityContext', 'run_as_username', 6],
  ['LinuxContainerSecurityContext', 'no_new_privs', 11],
  ['LinuxContainerSecurityContext', 'run_as_group', 12],
  ['LinuxContainerSecurityContext', 'masked_paths', 13],
  ['LinuxContainerSecurityContext', 'seccomp', 15],
  ['LinuxContainerSecurityContext', 'supplemental_groups_policy', 17],
  ['LinuxContainerResources', 'oom_score_adj', 5],
  ['LinuxContainerResources', 'unified', 9],
  ['LinuxContainerResources', 'memory_swap_limit_in_bytes', 10],
  ['ContainerConfig', 'log_path', 11],
  ['ContainerConfig', 'tty', 14],
  ['ContainerConfig', 'linux', 15],
  ['ContainerConfig', 'CDI_devices', 17],
  ['Mount', 'propagation', 5],
  ['Mount', 'recursive_read_only', 8],
  ['Mount', 'image', 9],
  ['ImageSpec', 'user_specified_image', 18],
  ['ImageSpec', 'runtime_handler', 19],
  ['ContainerStatus', 'reason', 10],
  ['ContainerStatus', 'log_path', 15],
  ['ContainerStatus', 'image_id', 17],
  ['ContainerStatus', 'user', 18],
  ['Container', 'image_id', 10],
  ['PodSandboxStatusResponse', 'containers_statuses', 3],
  ['PodSandboxStatus', 'runtime_handler', 9],
  ['ExecSyncRequest', 'timeout', 3],
  ['AttachRequest', 'tty', 3],
  ['AttachRequest', 'stdout', 4],
  ['Image', 'pinned', 8],
  ['ContainerStats', 'swap', 5],
  ['MemoryUsage', 'major_page_faults', 7],
  ['StatusResponse', 'runtime_handlers', 3],
  ['UpdateContainerResourcesRequest', 'annotations', 4],
];

test('messages carry CRI v1 field numbers', () => {
  const def = criPackage().definition as unknown as Record<string, Def>;
  for (const [msg, field, number] of FIELDS) {
    const m = def[`runtime.v1.${msg}`];
    assert.ok(m, `message ${msg}`);
    // The loader camel-cases names (keepCase: false), as protobufjs does.
    const name = field.replace(/_([a-zA-Z])/g, (_, c: string) => c.toUpperCase());
    assert.equal(m.type.field.find((f) => f.name === name)?.number, number, `${msg}.${field}`);
  }
});

test('both services expose the RPCs the kubelet calls, at CRI v1 paths', () => {
  const def = criPackage().definition as unknown as Record<string, Record<string, { path: string }>>;
  const runtime = ['Version', 'Status', 'RunPodSandbox', 'StopPodSandbox', 'RemovePodSandbox', 'PodSandboxStatus', 'ListPodSandbox', 'CreateContainer', 'StartContainer', 'StopContainer', 'RemoveContainer', 'ListContainers', 'ContainerStatus', 'UpdateContainerResources', 'ExecSync', 'Exec', 'Attach', 'PortForward', 'ContainerStats', 'ListContainerStats', 'ListPodSandboxStats', 'ReopenContainerLog'];
  const image = ['ListImages', 'ImageStatus', 'PullImage', 'RemoveImage', 'ImageFsInfo'];
  assert.deepEqual(Object.keys(def['runtime.v1.RuntimeService']).sort(), [...runtime].sort());
  assert.deepEqual(Object.keys(def['runtime.v1.ImageService']).sort(), [...image].sort());
  for (const m of runtime) assert.equal(def['runtime.v1.RuntimeService'][m].path, `/runtime.v1.RuntimeService/${m}`);
  for (const m of image) assert.equal(def['runtime.v1.ImageService'][m].path, `/runtime.v1.ImageService/${m}`);
});

test('encoding follows the wire numbers (CreateContainerRequest: sandbox id 1, config 2 → log_path 11)', () => {
  const svc = criPackage().definition['runtime.v1.RuntimeService'] as unknown as Record<string, { requestSerialize(x: object): Buffer; responseDeserialize(b: Buffer): Record<string, unknown> }>;
  const bytes = svc.CreateContainer.requestSerialize({ podSandboxId: 'p', config: { logPath: 'x' } });
  assert.equal(bytes.toString('hex'), '0a0170' + '1203' + '5a0178');
  // int64 nanoseconds survive decoding as exact decimal strings (beyond 2^53).
  const status = svc.ContainerStatus.responseDeserialize(Buffer.from('0a0a20959a97ece39fe7cb17', 'hex'));
  assert.equal((status.status as { createdAt: string }).createdAt, '1700000000123456789');
});

test('ListPodSandboxStats at CRI field numbers (stats 1 → attributes 1, linux 2 → process 4 → process_count 2)', () => {
  const svc = criPackage().definition['runtime.v1.RuntimeService'] as unknown as Record<string, { requestSerialize(x: object): Buffer; responseDeserialize(b: Buffer): Record<string, unknown> }>;
  assert.equal(svc.ListPodSandboxStats.requestSerialize({ filter: { id: 'x' } }).toString('hex'), '0a03' + '0a0178');
  const res = svc.ListPodSandboxStats.responseDeserialize(Buffer.from('0a0d' + '0a030a0173' + '1206' + '2204' + '1202' + '0803', 'hex')) as { stats: { attributes: { id: string }; linux: { process: { processCount: { value: string } } } }[] };
  assert.equal(res.stats[0].attributes.id, 's');
  assert.equal(res.stats[0].linux.process.processCount.value, '3');
});
