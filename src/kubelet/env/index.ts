// Pod data, env half: a container's environment and command as the kubelet computes them.
export { ContainerConfigError, type EnvEventSink, type EnvSources, type EnvVar, type PodRuntimeInfo } from './types.js';
export { makeEnvironment, configMapNotFound, secretNotFound } from './environment.js';
export { expand, expandCommand, expandSubPathExpr, mappingFuncFor } from './expansion.js';
export { extractFieldPathAsString, fieldPathValue, formatMap, goQuote } from './fieldpath.js';
export { containerResourceValue, findContainer, limitsWithAllocatable, resourceFieldValue } from './resources.js';
export { fromServices, serviceEnv } from './services.js';
export { envSourcesFromClient } from './client.js';
