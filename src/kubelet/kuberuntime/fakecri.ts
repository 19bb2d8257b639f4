// An in-memory CRI runtime for unit tests (the part CriRuntime names): sandboxes get IPs,
// containers are created, started, stopped and exit when a test says so, images are present
// or pulled (or a pull fails), and every call is recorded. Time comes from the test's clock.

import { realClock, type Clock } from '../../client/clock.js';
import { CriError } from '../cri/client.js';
import type * as T from '../cri/types.js';
import type { CriRuntime } from './cri.js';

interface FakeSandbox { id: string; config: T.PodSandboxConfig; state: T.PodSandboxState; createdAt: number; ip: string }
interface FakeContainer {
  id: string; sandboxId: string; config: T.ContainerConfig; sandboxConfig: T.PodSandboxConfig; state: T.ContainerState;
  createdAt: number; startedAt: number; finishedAt: number; exitCode: number; reason: string; message: string;
}

const ns = (ms: number): string => (ms ? String(BigInt(Math.round(ms)) * 1_000_000n) : '0');

export class FakeCri implements CriRuntime {
  readonly sandboxes = new Map<string, FakeSandbox>();
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Map<string, T.Image>();
  readonly calls: string[] = [];
  /** When set, PullImage fails with this message. */
  pullError?: string;
  /** When set, RunPodSandbox fails with this message. */
  sandboxError?: string;
  /** ExecSync answers (default exit 0, no output). */
  exec: (containerId: string, cmd: string[]) => T.ExecSyncResponse = () => ({ exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) });
  private seq = 0;
  private ipSeq = 1;

  constructor(private readonly clock: Clock = realClock) {
    this.addImage('docker.io/library/busybox:latest', 'busybox');
  }

  addImage(ref: string, ...aliases: string[]): void {
    const id = `sha256:${(++this.seq).toString(16).padStart(64, '0')}`;
    const im: T.Image = { id, repoTags: [ref], repoDigests: [], size: '1000', uid: null, username: '', spec: null, pinned: false, imageSource: '' };
    for (const n of [ref, ...aliases]) this.images.set(n, im);
  }

  private nextId(): string {
    return (++this.seq).toString(16).padStart(16, '0');
  }

  private notFound(method: string, what: string): CriError {
    return new CriError(method, 5, 'NOT_FOUND', `${what} not found`);
  }

  /** Test helper: the container's process exits. */
  exit(id: string, exitCode: number, reason = exitCode === 0 ? 'Completed' : 'Error'): void {
    const c = this.containers.get(id);
    if (!c || c.state !== 'CONTAINER_RUNNING') return;
    Object.assign(c, { state: 'CONTAINER_EXITED', exitCode, reason, finishedAt: this.clock.now() });
  }

  /** Test helper: containers by name, newest first. */
  byName(name: string): FakeContainer[] {
    return [...this.containers.values()].filter((c) => c.config.metadata.name === name).sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id));
  }

  async version(): Promise<T.VersionResponse> {
    return { version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20~fake', runtimeApiVersion: 'v1' };
  }

  async status(): Promise<T.StatusResponse> {
    return { status: { conditions: [{ type: 'RuntimeReady', status: true, reason: '', message: '' }, { type: 'NetworkReady', status: true, reason: '', message: '' }] }, info: {}, runtimeHandlers: [], features: null };
  }

  async runPodSandbox(req: T.RunPodSandboxRequest): Promise<T.RunPodSandboxResponse> {
    this.calls.push(`RunPodSandbox ${req.config.metadata.name}`);
    if (this.sandboxError) throw new CriError('RunPodSandbox', 2, 'UNKNOWN', this.sandboxError);
    const id = this.nextId();
    const ip = req.config.linux?.securityContext?.namespaceOptions?.network === 'NODE' ? '' : `10.88.0.${++this.ipSeq}`;
    this.sandboxes.set(id, { id, config: req.config, state: 'SANDBOX_READY', createdAt: this.clock.now(), ip });
    return { podSandboxId: id };
  }

  async stopPodSandbox(req: T.PodSandboxIdRequest): Promise<T.Empty> {
    this.calls.push(`StopPodSandbox ${req.podSandboxId}`);
    const sb = this.sandboxes.get(req.podSandboxId);
    if (!sb) throw this.notFound('StopPodSandbox', 'sandbox');
    for (const c of this.containers.values()) if (c.sandboxId === sb.id && c.state === 'CONTAINER_RUNNING') this.exit(c.id, 137);
    sb.state = 'SANDBOX_NOTREADY';
    return {};
  }

  async removePodSandbox(req: T.PodSandboxIdRequest): Promise<T.Empty> {
    this.calls.push(`RemovePodSandbox ${req.podSandboxId}`);
    for (const c of [...this.containers.values()]) if (c.sandboxId === req.podSandboxId) this.containers.delete(c.id);
    this.sandboxes.delete(req.podSandboxId);
    return {};
  }

  private sandboxView(sb: FakeSandbox): T.PodSandboxStatus {
    return {
      id: sb.id, metadata: sb.config.metadata, state: sb.state, createdAt: ns(sb.createdAt),
      network: sb.state === 'SANDBOX_READY' ? { ip: sb.ip, additionalIps: [] } : { ip: '', additionalIps: [] },
      linux: { namespaces: { options: sb.config.linux?.securityContext?.namespaceOptions ?? null } },
      labels: sb.config.labels ?? {}, annotations: sb.config.annotations ?? {}, runtimeHandler: '',
    };
  }

  async podSandboxStatus(req: T.PodSandboxStatusRequest): Promise<T.PodSandboxStatusResponse> {
    const sb = this.sandboxes.get(req.podSandboxId);
    if (!sb) throw this.notFound('PodSandboxStatus', 'sandbox');
    return { status: this.sandboxView(sb), info: {}, containersStatuses: [], timestamp: ns(this.clock.now()) };
  }

  async listPodSandbox(req: T.ListPodSandboxRequest = {}): Promise<T.ListPodSandboxResponse> {
    const sel = req.filter?.labelSelector ?? {};
    const items = [...this.sandboxes.values()]
      .filter((sb) => Object.entries(sel).every(([k, v]) => sb.config.labels?.[k] === v))
      .map((sb) => { const v = this.sandboxView(sb); return { id: v.id, metadata: v.metadata, state: v.state, createdAt: v.createdAt, labels: v.labels, annotations: v.annotations, runtimeHandler: '' }; });
    return { items };
  }

  async createContainer(req: T.CreateContainerRequest): Promise<T.CreateContainerResponse> {
    this.calls.push(`CreateContainer ${req.config.metadata.name}`);
    if (!this.sandboxes.has(req.podSandboxId)) throw this.notFound('CreateContainer', 'sandbox');
    const id = this.nextId();
    this.containers.set(id, {
      id, sandboxId: req.podSandboxId, config: req.config, sandboxConfig: req.sandboxConfig, state: 'CONTAINER_CREATED',
      createdAt: this.clock.now(), startedAt: 0, finishedAt: 0, exitCode: 0, reason: '', message: '',
    });
    return { containerId: id };
  }

  async startContainer(req: T.ContainerIdRequest): Promise<T.Empty> {
    this.calls.push(`StartContainer ${req.containerId}`);
    const c = this.containers.get(req.containerId);
    if (!c) throw this.notFound('StartContainer', 'container');
    Object.assign(c, { state: 'CONTAINER_RUNNING', startedAt: this.clock.now() });
    return {};
  }

  async stopContainer(req: T.StopContainerRequest): Promise<T.Empty> {
    this.calls.push(`StopContainer ${req.containerId} ${req.timeout}`);
    if (!this.containers.has(req.containerId)) throw this.notFound('StopContainer', 'container');
    this.exit(req.containerId, 137);
    return {};
  }

  async removeContainer(req: T.ContainerIdRequest): Promise<T.Empty> {
    this.calls.push(`RemoveContainer ${req.containerId}`);
    this.containers.delete(req.containerId);
    return {};
  }

  private findImage(ref: string): T.Image | undefined {
    return this.images.get(ref) ?? [...this.images.values()].find((i) => i.id === ref);
  }

  private containerView(c: FakeContainer): T.Container {
    const im = this.findImage(c.config.image.image);
    return {
      id: c.id, podSandboxId: c.sandboxId, metadata: c.config.metadata, image: { image: im?.repoTags[0] ?? c.config.image.image }, imageRef: im?.id ?? '',
      state: c.state, createdAt: ns(c.createdAt), labels: c.config.labels ?? {}, annotations: c.config.annotations ?? {}, imageId: im?.id ?? '',
    };
  }

  async listContainers(req: T.ListContainersRequest = {}): Promise<T.ListContainersResponse> {
    const sel = req.filter?.labelSelector ?? {};
    return { containers: [...this.containers.values()].filter((c) => Object.entries(sel).every(([k, v]) => c.config.labels?.[k] === v)).map((c) => this.containerView(c)) };
  }

  async containerStatus(req: T.ContainerStatusRequest): Promise<T.ContainerStatusResponse> {
    const c = this.containers.get(req.containerId);
    if (!c) throw this.notFound('ContainerStatus', 'container');
    const v = this.containerView(c);
    const logPath = `${c.sandboxConfig.logDirectory ?? ''}/${c.config.logPath ?? ''}`;
    return {
      status: {
        id: c.id, metadata: c.config.metadata, state: c.state, createdAt: ns(c.createdAt), startedAt: ns(c.startedAt), finishedAt: ns(c.finishedAt),
        exitCode: c.exitCode, image: v.image, imageRef: v.imageRef, reason: c.reason, message: c.message, labels: v.labels, annotations: v.annotations,
        mounts: c.config.mounts ?? [], logPath, resources: null, imageId: v.imageId, user: null, imageSource: '',
      },
      info: {},
    };
  }

  async execSync(req: T.ExecSyncRequest): Promise<T.ExecSyncResponse> {
    this.calls.push(`ExecSync ${req.containerId} ${req.cmd.join(' ')}`);
    return this.exec(req.containerId, req.cmd);
  }

  async listImages(): Promise<T.ListImagesResponse> {
    return { images: [...new Set(this.images.values())] };
  }

  async imageStatus(req: T.ImageStatusRequest): Promise<T.ImageStatusResponse> {
    return { image: this.findImage(req.image.image) ?? null, info: {} };
  }

  async pullImage(req: T.PullImageRequest): Promise<T.PullImageResponse> {
    this.calls.push(`PullImage ${req.image.image}`);
    if (this.pullError) throw new CriError('PullImage', 2, 'UNKNOWN', this.pullError);
    this.addImage(req.image.image);
    return { imageRef: this.images.get(req.image.image)!.id };
  }
}
