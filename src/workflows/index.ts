// Workflow entry points, bundled for the worker. Deterministic code only: no I/O, no Node APIs.
export { syncSource } from './sync-source';
export { syncResource, resourceStatusQuery } from './sync-resource';
export { syncWindows } from './sync-windows';
