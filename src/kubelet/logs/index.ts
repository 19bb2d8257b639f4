// Container logs as the kubelet serves them: CRI-format files (parse.ts) read with the
// kubelet's options (options.ts) into a stream, following appends (reader.ts).
export { ContainerLog, LogOpenError, readLogs, type FollowControl, type LogSink, type LogWrite } from './reader.js';
export { logOptionsFromQuery, decodeLogQuery, validatePodLogOptions, toLogOptions, LogQueryError, type LogOptions, type PodLogOptions, type StreamSelection } from './options.js';
export { parseCriLog, parseDockerJsonLog, parseLogTime, formatLogTime, type LogRecord, type LogStream, type LogTime } from './parse.js';
export { findTailStart } from './tail.js';
