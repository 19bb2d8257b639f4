// A typed CRI v1 client (RuntimeService + ImageService) over gRPC on a unix socket, the way
// the kubelet talks to containerd. One channel serves both services. Every call has a
// deadline (the kubelet's runtime-request-timeout, 2 min, unless the caller says otherwise)
// and can be cancelled with an AbortSignal; failures become CriError with the gRPC status.

import * as grpc from '@grpc/grpc-js';
import { criPackage } from './load.js';
import type * as T from './types.js';

/** The kubelet's default --runtime-request-timeout. */
export const DEFAULT_TIMEOUT_MS = 120_000;
/** ExecSync output is capped at 16 MiB per stream by the runtime; leave room for both plus framing. */
const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

export interface CallOptions {
  /** Deadline for this call; 0 means none (image pulls). Default DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A failed CRI call: `code` is the gRPC status code (grpc.status), `codeName` its name. */
export class CriError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly codeName: string,
    readonly details: string,
  ) {
    super(`CRI ${method}: ${codeName}: ${details}`);
    this.name = 'CriError';
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof CriError && e.code === grpc.status.NOT_FOUND;
}

export function isUnavailable(e: unknown): boolean {
  return e instanceof CriError && (e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.DEADLINE_EXCEEDED);
}

type UnaryFn = (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => grpc.ClientUnaryCall;

export class CriClient {
  readonly socket: string;
  private readonly runtime: grpc.Client;
  private readonly images: grpc.Client;

  /** `socket` is an absolute unix socket path (containerd's CRI endpoint). No I/O happens until a call. */
  constructor(socket: string) {
    this.socket = socket;
    const pkg = criPackage();
    const options: grpc.ClientOptions = {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      // Reconnect fast after containerd restarts: the default back-off grows to 2 min.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2_000,
    };
    this.runtime = new pkg.RuntimeService(`unix:${socket}`, grpc.credentials.createInsecure(), options);
    this.images = new pkg.ImageService(`unix:${socket}`, grpc.credentials.createInsecure(), { ...options, channelOverride: this.runtime.getChannel() });
  }

  close(): void {
    this.images.close();
    this.runtime.close();
  }

  private call<Res>(client: grpc.Client, method: string, req: unknown, opts: CallOptions = {}): Promise<Res> {
    const fn = (client as unknown as Record<string, UnaryFn>)[method];
    const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const callOpts: grpc.CallOptions = timeout > 0 ? { deadline: Date.now() + timeout } : {};
    return new Promise<Res>((resolve, reject) => {
      if (opts.signal?.aborted) {
        reject(new CriError(method, grpc.status.CANCELLED, 'CANCELLED', 'aborted before the call'));
        return;
      }
      const onAbort = () => call.cancel();
      const call = fn.call(client, req ?? {}, new grpc.Metadata(), callOpts, (err, res) => {
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) reject(new CriError(method, err.code ?? grpc.status.UNKNOWN, grpc.status[err.code] ?? 'UNKNOWN', err.details || err.message));
        else resolve(res as Res);
      });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  // ---- RuntimeService

  version(opts?: CallOptions): Promise<T.VersionResponse> {
    return this.call(this.runtime, 'Version', { version: 'v1' }, opts);
  }
  status(req: T.StatusRequest = {}, opts?: CallOptions): Promise<T.StatusResponse> {
    return this.call(this.runtime, 'Status', req, opts);
  }
  runPodSandbox(req: T.RunPodSandboxRequest, opts?: CallOptions): Promise<T.RunPodSandboxResponse> {
    return this.call(this.runtime, 'RunPodSandbox', req, opts);
  }
  stopPodSandbox(req: T.PodSandboxIdRequest, opts?: CallOptions): Promise<T.Empty> {
    return this.call(this.runtime, 'StopPodSandbox', req, opts);
  }
  removePodSandbox(req: T.PodSandboxIdRequest, opts?: CallOptions): Promise<T.Empty> {
    return this.call(this.runtime, 'RemovePodSandbox', req, opts);
  }
  podSandboxStatus(req: T.PodSandboxStatusRequest, opts?: CallOptions): Promise<T.PodSandboxStatusResponse> {
    return this.call(this.runtime, 'PodSandboxStatus', req, opts);
  }
  listPodSandbox(req: T.ListPodSandboxRequest = {}, opts?: CallOptions): Promise<T.ListPodSandboxResponse> {
    return this.call(this.runtime, 'ListPodSandbox', req, opts);
  }
  createContainer(req: T.CreateContainerRequest, opts?: CallOptions): Promise<T.CreateContainerResponse> {
    return this.call(this.runtime, 'CreateContainer', req, opts);
  }
  startContainer(req: T.ContainerIdRequest, opts?: CallOptions): Promise<T.Empty> {
    return this.call(this.runtime, 'StartContainer', req, opts);
  }
  /** The deadline is extended by the grace period so a slow stop is not cut short. */
  stopContainer(req: T.StopContainerRequest, opts: CallOptions = {}): Promise<T.Empty> {
    const grace = Number(req.timeout ?? 0) * 1000;
    return this.call(this.runtime, 'StopContainer', req, { ...opts, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS + grace });
  }
  removeContainer(req: T.ContainerIdRequest, opts?: CallOptions): Promise<T.Empty> {
    return this.call(this.runtime, 'RemoveContainer', req, opts);
  }
  listContainers(req: T.ListContainersRequest = {}, opts?: CallOptions): Promise<T.ListContainersResponse> {
    return this.call(this.runtime, 'ListContainers', req, opts);
  }
  containerStatus(req: T.ContainerStatusRequest, opts?: CallOptions): Promise<T.ContainerStatusResponse> {
    return this.call(this.runtime, 'ContainerStatus', req, opts);
  }
  updateContainerResources(req: T.UpdateContainerResourcesRequest, opts?: CallOptions): Promise<T.Empty> {
    return this.call(this.runtime, 'UpdateContainerResources', req, opts);
  }
  reopenContainerLog(req: T.ContainerIdRequest, opts?: CallOptions): Promise<T.Empty> {
    return this.call(this.runtime, 'ReopenContainerLog', req, opts);
  }
  /** The deadline covers the command's own timeout (seconds) plus the usual margin. */
  execSync(req: T.ExecSyncRequest, opts: CallOptions = {}): Promise<T.ExecSyncResponse> {
    const t = Number(req.timeout ?? 0) * 1000;
    return this.call(this.runtime, 'ExecSync', req, { ...opts, timeoutMs: opts.timeoutMs ?? (t > 0 ? DEFAULT_TIMEOUT_MS + t : 0) });
  }
  exec(req: T.ExecRequest, opts?: CallOptions): Promise<T.UrlResponse> {
    return this.call(this.runtime, 'Exec', req, opts);
  }
  attach(req: T.AttachRequest, opts?: CallOptions): Promise<T.UrlResponse> {
    return this.call(this.runtime, 'Attach', req, opts);
  }
  portForward(req: T.PortForwardRequest, opts?: CallOptions): Promise<T.UrlResponse> {
    return this.call(this.runtime, 'PortForward', req, opts);
  }
  containerStats(req: T.ContainerIdRequest, opts?: CallOptions): Promise<T.ContainerStatsResponse> {
    return this.call(this.runtime, 'ContainerStats', req, opts);
  }
  listContainerStats(req: T.ListContainerStatsRequest = {}, opts?: CallOptions): Promise<T.ListContainerStatsResponse> {
    return this.call(this.runtime, 'ListContainerStats', req, opts);
  }
  listPodSandboxStats(req: T.ListPodSandboxStatsRequest = {}, opts?: CallOptions): Promise<T.ListPodSandboxStatsResponse> {
    return this.call(this.runtime, 'ListPodSandboxStats', req, opts);
  }

  // ---- ImageService

  listImages(req: T.ListImagesRequest = {}, opts?: CallOptions): Promise<T.ListImagesResponse> {
    return this.call(this.images, 'ListImages', req, opts);
  }
  imageStatus(req: T.ImageStatusRequest, opts?: CallOptions): Promise<T.ImageStatusResponse> {
    return this.call(this.images, 'ImageStatus', req, opts);
  }
  /** No deadline by default: a pull takes as long as the registry needs (cancel with a signal). */
  pullImage(req: T.PullImageRequest, opts: CallOptions = {}): Promise<T.PullImageResponse> {
    return this.call(this.images, 'PullImage', req, { ...opts, timeoutMs: opts.timeoutMs ?? 0 });
  }
  removeImage(req: T.RemoveImageRequest, opts?: CallOptions): Promise<T.Empty> {
    return this.call(this.images, 'RemoveImage', req, opts);
  }
  imageFsInfo(opts?: CallOptions): Promise<T.ImageFsInfoResponse> {
    return this.call(this.images, 'ImageFsInfo', {}, opts);
  }
}

/** Nanoseconds-since-epoch (CRI timestamps, decimal strings) → Date; null for "0"/empty. */
export function nanosToDate(ns: string | number | undefined | null): Date | null {
  if (ns === undefined || ns === null || ns === '' || ns === '0' || ns === 0) return null;
  return new Date(Number(BigInt(ns) / 1_000_000n));
}
