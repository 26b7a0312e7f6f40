/**
 * Chooses the store adapter from the configuration. The one place that names an adapter: every
 * other module sees the `Store` interface only.
 */
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

export interface StoreLocation {
  /** SQLite database file (DB_PATH, or DATABASE_URL=sqlite:…). */
  readonly dbPath: string;
}

export function openStore(location: StoreLocation): Store {
  return openSqliteStore(location.dbPath);
}
