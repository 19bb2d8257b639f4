// Making sure a container's image is on the node (upstream images.EnsureImageExists), with
// the kubelet's events and waiting reasons: "Container image ... already present on machine",
// Pulling/Pulled, ErrImagePull with the runtime's error, then ImagePullBackOff (10 s doubling
// to 5 min per pod and image) whose message carries the last pull error, ErrImageNeverPull.
//
// With the pod's pull secrets (credentialprovider/) the pull tries each credential whose
// registry key covers the image, most specific first, until one succeeds; it fails with
// every attempt's error (one error as itself, several as "[a, b]"), never falling back to
// an anonymous pull; no matching credential means one anonymous pull.
//
// One deliberate difference: an image already on the node is used without a pull even under
// imagePullPolicy Always. Skiff nodes are usually air-gapped, with offline images such as
// busybox:latest imported at set-up, and `kubectl run --image=busybox` defaults to Always.

import { goDuration } from '../../api/duration.js';
import { realClock, type Clock } from '../../client/clock.js';
import { CriError } from '../cri/client.js';
import type { AuthConfig, PodSandboxConfig } from '../cri/types.js';
import type { DockerKeyring } from '../credentialprovider/keyring.js';
import { Backoff } from './backoff.js';
import type { CriRuntime } from './cri.js';

export type ImageErrorReason = 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName';

export type EnsureImageResult =
  | { ok: true; imageRef: string }
  | { ok: false; reason: ImageErrorReason; message: string };

export type ImageEvent = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

/** The pod's keyring, read only when a pull is needed; throws when a pull secret does not parse. */
export type KeyringSource = () => Promise<DockerKeyring | undefined>;

/** Go's utilerrors.NewAggregate(...).Error(): one message as itself, several (deduplicated) as "[a, b]". */
export function aggregateMessage(msgs: string[]): string {
  const uniq = [...new Set(msgs)];
  return uniq.length === 1 ? uniq[0] : `[${uniq.join(', ')}]`;
}

const GO_CODES: Record<string, string> = {
  CANCELLED: 'Canceled', UNKNOWN: 'Unknown', INVALID_ARGUMENT: 'InvalidArgument', DEADLINE_EXCEEDED: 'DeadlineExceeded',
  NOT_FOUND: 'NotFound', ALREADY_EXISTS: 'AlreadyExists', PERMISSION_DENIED: 'PermissionDenied', RESOURCE_EXHAUSTED: 'ResourceExhausted',
  FAILED_PRECONDITION: 'FailedPrecondition', ABORTED: 'Aborted', OUT_OF_RANGE: 'OutOfRange', UNIMPLEMENTED: 'Unimplemented',
  INTERNAL: 'Internal', UNAVAILABLE: 'Unavailable', DATA_LOSS: 'DataLoss', UNAUTHENTICATED: 'Unauthenticated',
};

/** A runtime error as Go's gRPC status prints it ("rpc error: code = Unknown desc = ..."). */
export function grpcErrorText(e: unknown): string {
  if (e instanceof CriError) return `rpc error: code = ${GO_CODES[e.codeName] ?? e.codeName} desc = ${e.details}`;
  return (e as Error)?.message ?? String(e);
}

export class ImagePuller {
  readonly backoff: Backoff;
  private readonly lastError = new Map<string, string>();
  private readonly inflight = new Map<string, Promise<{ imageRef: string; size: number }>>();

  constructor(private readonly cri: CriRuntime, private readonly clock: Clock = realClock) {
    this.backoff = new Backoff(clock);
  }

  /** The image's id on the node, or undefined when absent. */
  async present(image: string, signal?: AbortSignal): Promise<string | undefined> {
    const st = await this.cri.imageStatus({ image: { image } }, { signal });
    return st.image?.id || undefined;
  }

  async ensure(podUID: string, image: string, policy: string | undefined, sandboxConfig: PodSandboxConfig | undefined, event: ImageEvent, signal?: AbortSignal, keyring?: KeyringSource): Promise<EnsureImageResult> {
    if (!image || /\s/.test(image)) {
      const message = `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`;
      event('Warning', 'InspectFailed', message);
      return { ok: false, reason: 'InvalidImageName', message };
    }
    const have = await this.present(image, signal);
    if (have) {
      event('Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return { ok: true, imageRef: have };
    }
    if (policy === 'Never') {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      event('Warning', 'ErrImageNeverPull', message);
      return { ok: false, reason: 'ErrImageNeverPull', message };
    }
    const key = `${podUID}_${image}`;
    if (this.backoff.isInBackOffSinceUpdate(key)) {
      let message = `Back-off pulling image "${image}"`;
      event('Normal', 'BackOff', message);
      const prev = this.lastError.get(key);
      if (prev) message = `${message}: ${prev}`;
      return { ok: false, reason: 'ImagePullBackOff', message };
    }
    // the pull secrets are read (and missing ones reported) before the pull starts; one that
    // does not parse fails the pull itself
    let ring: DockerKeyring | undefined, ringError: unknown;
    try { ring = await keyring?.(); } catch (e) { ringError = e ?? new Error('invalid image pull secret'); }
    event('Normal', 'Pulling', `Pulling image "${image}"`);
    const t0 = this.clock.now();
    try {
      if (ringError) throw ringError;
      const auths = ring?.lookup(image) ?? [];
      const { imageRef, size } = await this.pullWithAuths(image, auths.map((a) => ({ username: a.username, password: a.password })), sandboxConfig, signal);
      const took = goDuration(this.clock.now() - t0);
      event('Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${size} bytes.`);
      this.lastError.delete(key);
      this.backoff.gc();
      return { ok: true, imageRef };
    } catch (e) {
      if (signal?.aborted) throw e;
      const message = grpcErrorText(e);
      event('Warning', 'Failed', `Failed to pull image "${image}": ${message}`);
      this.backoff.next(key, this.clock.now());
      this.lastError.set(key, `ErrImagePull: ${message}`);
      return { ok: false, reason: 'ErrImagePull', message };
    }
  }

  /** When the pull back-off of this pod and image ends (ms), if it has one. */
  backoffEndsAt(podUID: string, image: string): number | undefined {
    const key = `${podUID}_${image}`;
    return this.backoff.isInBackOffSinceUpdate(key) ? this.backoff.updateEndsAt(key) : undefined;
  }

  forgetPod(podUID: string): void {
    this.backoff.forgetPrefix(`${podUID}_`);
    for (const k of this.lastError.keys()) if (k.startsWith(`${podUID}_`)) this.lastError.delete(k);
  }

  /** Anonymous when there are no credentials, else each in turn until one pull succeeds. */
  private async pullWithAuths(image: string, auths: AuthConfig[], sandboxConfig: PodSandboxConfig | undefined, signal?: AbortSignal): Promise<{ imageRef: string; size: number }> {
    if (!auths.length) return this.pull(image, null, sandboxConfig, signal);
    const errors: unknown[] = [];
    for (const auth of auths) {
      try {
        return await this.pull(image, auth, sandboxConfig, signal);
      } catch (e) {
        if (signal?.aborted) throw e;
        errors.push(e);
      }
    }
    if (errors.length === 1) throw errors[0];
    throw new Error(aggregateMessage(errors.map(grpcErrorText)));
  }

  /** One pull per image and credential at a time: concurrent pods wait for the same pull. */
  private pull(image: string, auth: AuthConfig | null, sandboxConfig: PodSandboxConfig | undefined, signal?: AbortSignal): Promise<{ imageRef: string; size: number }> {
    const key = auth ? `${image}\0${auth.username}\0${auth.password}` : image;
    let p = this.inflight.get(key);
    if (!p) {
      p = (async () => {
        const r = await this.cri.pullImage({ image: { image }, auth, sandboxConfig: sandboxConfig ?? null }, { signal });
        let size = 0;
        try { size = Number((await this.cri.imageStatus({ image: { image: r.imageRef } }, { signal })).image?.size ?? 0); } catch { /* size is informational */ }
        return { imageRef: r.imageRef, size };
      })().finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }
}
