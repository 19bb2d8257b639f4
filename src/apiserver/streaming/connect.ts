// pods/exec, pods/attach and pods/portforward: kube-apiserver's ExecREST, AttachREST and
// PortForwardREST. The pod and container are checked here (streamLocation), then the request
// goes to the kubelet of the pod's node:
// - exec/attach from a WebSocket client speaking a channel protocol: translated to SPDY;
// - port-forward from a WebSocket client tunnelling SPDY: unwrapped to the kubelet's SPDY;
// - any other upgrade (SPDY from kubectl before 1.30): proxied byte for byte.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { negotiate, offeredProtocols } from './channels.js';
import { KubeletDialError, type KubeletClient, type KubeletTarget, type UpgradeResult } from './kubelet.js';
import { execOptions, kubeletPortForwardQuery, kubeletStreamQuery, portForwardPorts, resolveContainer } from './options.js';
import { forwardedHeaders, proxyUpgrade } from './proxy.js';
import { SPDY_REMOTECOMMAND_PROTOCOLS, translateRemoteCommand } from './remotecommand.js';
import { tunnelPortForward, tunneledProtocols } from './tunnel.js';
import { acceptWebSocket, isWebSocketRequest, takeUpgrade } from './upgrade.js';

/** Nodes carrying this label (value "true") are simulated: they run no containers. */
export const SIMULATED_LABEL = 'skiff.dev/simulated';

export interface ConnectDeps {
  kubelet: KubeletClient;
  getNode(name: string): Promise<Obj>;
}

export type ConnectSubresource = 'exec' | 'attach' | 'portforward';

/** The kubelet that runs the pod, or the error kube-apiserver gives when there is none. */
export async function podKubelet(deps: ConnectDeps, pod: Obj): Promise<KubeletTarget> {
  const name = pod.metadata.name;
  const nodeName: string | undefined = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const node = await deps.getNode(nodeName);
  if (node.metadata.labels?.[SIMULATED_LABEL] === 'true') {
    throw badRequest(`pod ${name} is on node ${nodeName}, a simulated node that runs no containers`);
  }
  return deps.kubelet.target(node);
}

const seg = encodeURIComponent;

/** An upgrade to the kubelet; an unreachable kubelet is kube-apiserver's "error dialing backend". */
async function dial(deps: ConnectDeps, t: KubeletTarget, r: Parameters<KubeletClient['upgrade']>[1]): Promise<UpgradeResult> {
  try {
    return await deps.kubelet.upgrade(t, r);
  } catch (e) {
    if (e instanceof KubeletDialError) throw new ApiError(500, '', `error dialing backend: ${e.message}`);
    throw e;
  }
}

export async function serveConnect(deps: ConnectDeps, req: IncomingMessage, res: ServerResponse, sub: ConnectSubresource, pod: Obj, q: URLSearchParams): Promise<void> {
  const ns: string = pod.metadata.namespace, name: string = pod.metadata.name;
  let path: string;
  const streams = execOptions(q, sub === 'exec');
  if (sub === 'portforward') {
    const query = kubeletPortForwardQuery(portForwardPorts(q));
    path = `/portForward/${seg(ns)}/${seg(name)}${query ? `?${query}` : ''}`;
  } else {
    const container = resolveContainer(pod, streams.container);
    path = `/${sub}/${seg(ns)}/${seg(name)}/${seg(container)}?${kubeletStreamQuery(streams)}`;
  }
  const target = await podKubelet(deps, pod);
  const client = takeUpgrade(req);
  if (!client) throw badRequest('Upgrade request required');

  const spdyTo = (versions: string[]) => ({
    path,
    headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': versions, 'User-Agent': String(req.headers['user-agent'] ?? 'skiff-apiserver') },
  });
  if (isWebSocketRequest(req)) {
    if (sub === 'portforward') {
      const tunneled = tunneledProtocols(req);
      if (tunneled.length) {
        await tunnelPortForward(req, client, res, await dial(deps, target, spdyTo(tunneled)));
        return;
      }
    } else {
      const protocol = negotiate(offeredProtocols(req.headers['sec-websocket-protocol']));
      if (protocol) {
        // as the translator: the client's WebSocket first, the kubelet's errors on its error channel
        const ws = await acceptWebSocket(req, client, protocol.name).catch(() => undefined);
        if (!ws) return;
        res.statusCode = 101;
        await translateRemoteCommand({ ws, protocol, streams, dial: () => deps.kubelet.upgrade(target, spdyTo(SPDY_REMOTECOMMAND_PROTOCOLS)) });
        return;
      }
    }
  }
  await proxyUpgrade(client.socket, client.head, await dial(deps, target, { method: req.method, path, headers: forwardedHeaders(req) }), res);
}
