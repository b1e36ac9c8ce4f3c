/**
 * protocol/ without the compiled validators of validate.ts: ids, limits, error codes, schemas and types, the group
 * rules and the system events. Nothing here generates code at run time, so the renderer (whose CSP has no
 * 'unsafe-eval') imports from this module.
 */
export * from './ids.js';
export * from './errors.js';
export * from './kinds.js';
export * from './limits.js';
export * from './entries.js';
export * from './group-rules.js';
export * from './ops.js';
export * from './events.js';
export * from './system-events.js';
export * from './frames.js';
export * from './http.js';
export * from './server-url.js';
export * from './file-names.js';
