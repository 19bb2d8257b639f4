// The scheduler's public surface: start it against any KubeClient (RestClient in a cluster,
// FakeClient in tests). Plugins and the framework live beside it for those who extend it.
export { DEFAULT_SCHEDULER_NAME, runScheduler, Scheduler, startScheduler, type SchedulerOptions, type StartSchedulerOptions } from './scheduler.js';
export { defaultPlugins, DEFAULT_SCORE_WEIGHTS } from './plugins/registry.js';
