// Kubernetes protobuf (application/vnd.kubernetes.protobuf) for built-in types, which
// client-go's typed clientsets (kubectl 1.31+ create/auth/drain/certificate/...) send.
// Skiff speaks JSON inside: decodeK8sProtobuf turns a request body into the JSON object
// kube-apiserver would have decoded (see decode.ts for the exact Go-JSON rules), and
// encodeK8sProtobuf does the reverse for clients that accept only protobuf.
//
// Wire format: "k8s\x00" + runtime.Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding,
// contentType}; raw is the object's message from k8s.io/api (generated/table.ts, produced
// by scripts/gen-proto-table.mjs). Malformed input throws ApiError 400 BadRequest.
import { badRequest } from '../errors.js';
import { decodeEnvelope, MAGIC, PROTOBUF_CONTENT_TYPE } from './decode.js';
import { encodeEnvelope } from './encode.js';
import { messageForKind } from './schema.js';
import { ProtobufError } from './wire.js';

export { PROTOBUF_CONTENT_TYPE, ProtobufError };

/** True when buf starts with the "k8s\x00" magic of the Kubernetes protobuf envelope. */
export function isK8sProtobuf(buf: Buffer): boolean {
  return buf.length >= 4 && buf[0] === MAGIC[0] && buf[1] === MAGIC[1] && buf[2] === MAGIC[2] && buf[3] === MAGIC[3];
}

/**
 * The JSON object (kind and apiVersion first) encoded in a Kubernetes protobuf body.
 * Throws ApiError(400, BadRequest) with a clear message on malformed or unknown input; runs in
 * time linear in the input, with bounded nesting and output size.
 */
export function decodeK8sProtobuf(buf: Buffer): Record<string, any> {
  try {
    return decodeEnvelope(buf, 0, buf.length);
  } catch (e) {
    if (e instanceof ProtobufError || e instanceof RangeError) throw badRequest(`unable to decode the protobuf body: ${e.message}`);
    throw e;
  }
}

/** The Kubernetes protobuf encoding of a JSON object (it must carry apiVersion and kind). */
export function encodeK8sProtobuf(obj: Record<string, any>): Buffer {
  return encodeEnvelope(obj);
}

/** Whether objects of this apiVersion/kind have a protobuf encoding (built-in types only). */
export function hasProtobufEncoding(apiVersion: string, kind: string): boolean {
  return messageForKind(apiVersion, kind) !== undefined;
}
