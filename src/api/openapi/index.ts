// Public surface of the OpenAPI package. Importing it costs nothing: definitions load and
// documents build on first use.

export { definitions, definitionNameOf, definitionsHash, type Schema, type GVK } from './defs.js';
export {
  schemaForKind, resolve, findUnknownFields, pruneUnknownFields, patchMeta, schemaNode, schemaNodeFor, SchemaNode,
  MAX_STRICT_ERRORS, type PatchMeta, type NodeKind,
} from './schema.js';
export {
  unknownFieldError, duplicateFieldError, strictDecodingError, strictDecodingMessage, strictDecodingWarnings,
  strictDecodingErrors, cannotBeHandledMessage, findDuplicateFields, parseFieldValidation, goQuote, type FieldValidation,
} from './validation.js';
export { openapiV2, openapiV2JSON, openapiV2Protobuf, openapiV2ETag, OPENAPI_V2_PROTOBUF_MIME, KUBERNETES_VERSION } from './v2.js';
export { openapiV3Index, openapiV3GroupVersion, openapiV3GroupVersionJSON, openapiV3Hash, groupVersionKey } from './v3.js';
export { encodeOpenAPIV2Protobuf } from './protobuf.js';
export { openapiResponse, OPENAPI_V2_PROTOBUF_CONTENT_TYPE, type OpenAPIResponse } from './http.js';
