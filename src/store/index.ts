export type * from './types.js';
export { openSqliteStore, type SqliteStore } from './sqlite/sqlite-store.js';
