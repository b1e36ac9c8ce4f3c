/** The client's local message store: SQLite (WAL), versioned schema, full-text search. */
export { openStore, Store, type StoreOptions, type StoreOutbox } from './store.js';
export { openDatabase, type OpenDatabaseOptions } from './open-database.js';
export { LATEST_VERSION, SchemaTooNewError } from './migrations/index.js';
export { DuplicateClientMsgIdError } from './send-flow.js';
export type * from './types.js';
