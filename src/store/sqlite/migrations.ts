import type Database from 'better-sqlite3';

/**
 * Ordered schema migrations: entry `i` is schema version `i + 1`. Never edit or reorder a released
 * entry; append a new one instead. Each runs once, in its own transaction, recorded in
 * `schema_migrations`.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the requests table. STRICT makes SQLite reject values of the wrong type instead of storing them.
  `
  CREATE TABLE requests (
    id                INTEGER PRIMARY KEY,
    start_time        INTEGER NOT NULL,
    method            TEXT    NOT NULL,
    endpoint          TEXT    NOT NULL,
    model             TEXT,
    response_model    TEXT,
    status_code       INTEGER,
    is_error          INTEGER NOT NULL CHECK (is_error IN (0, 1)),
    error_type        TEXT,
    error_message     TEXT,
    was_streamed      INTEGER NOT NULL CHECK (was_streamed IN (0, 1)),
    input_tokens      INTEGER,
    output_tokens     INTEGER,
    total_tokens      INTEGER,
    usage_source      TEXT    NOT NULL,
    ttft_ms           REAL,
    duration_ms       REAL    NOT NULL,
    tokens_per_second REAL,
    finish_reason     TEXT
  ) STRICT;
  CREATE INDEX requests_start_time_idx ON requests (start_time);
  CREATE INDEX requests_model_start_time_idx ON requests (model, start_time);
  `,
  // 2: token details, attribution (key, user, origin, tags) and cost. Rows written before this
  // migration read the new columns as NULL and have no tags.
  `
  ALTER TABLE requests ADD COLUMN cached_input_tokens INTEGER;
  ALTER TABLE requests ADD COLUMN reasoning_tokens    INTEGER;
  ALTER TABLE requests ADD COLUMN ttlt_ms             REAL;
  ALTER TABLE requests ADD COLUMN message_count       INTEGER;
  ALTER TABLE requests ADD COLUMN origin              TEXT;
  ALTER TABLE requests ADD COLUMN api_key_id          TEXT;
  ALTER TABLE requests ADD COLUMN user                TEXT;
  ALTER TABLE requests ADD COLUMN cost_usd            REAL;

  CREATE TABLE request_tags (
    request_id INTEGER NOT NULL REFERENCES requests (id),
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    PRIMARY KEY (request_id, key)
  ) STRICT;
  CREATE INDEX request_tags_key_value_idx ON request_tags (key, value, request_id);

  CREATE INDEX requests_endpoint_start_time_idx   ON requests (endpoint, start_time);
  CREATE INDEX requests_api_key_id_start_time_idx ON requests (api_key_id, start_time);
  CREATE INDEX requests_user_start_time_idx       ON requests (user, start_time);
  `,
  // 3: every API shape (issue 6): cache writes, tool calls and the backend's own timings.
  `
  ALTER TABLE requests ADD COLUMN cache_creation_input_tokens INTEGER;
  ALTER TABLE requests ADD COLUMN tool_calls                  INTEGER;
  ALTER TABLE requests ADD COLUMN backend_prompt_ms           REAL;
  ALTER TABLE requests ADD COLUMN backend_generation_ms       REAL;
  ALTER TABLE requests ADD COLUMN backend_tokens_per_second   REAL;
  ALTER TABLE requests ADD COLUMN backend_load_ms             REAL;
  ALTER TABLE requests ADD COLUMN backend_total_ms            REAL;
  `,
  // 4: retention (issue 11). Exact daily usage per UTC day and combination of dimensions, kept
  // longer than the raw rows and written in the same transaction as them; `dims` is the JSON array
  // of the dimension values (it tells null from ''), so that one upsert finds the row. Filled from
  // the rows already stored. `store_meta` keeps how far retention has deleted.
  `
  CREATE TABLE usage_daily (
    day                 INTEGER NOT NULL,
    dims                TEXT    NOT NULL,
    model               TEXT,
    endpoint            TEXT    NOT NULL,
    api_key_id          TEXT,
    user                TEXT,
    is_error            INTEGER NOT NULL,
    was_streamed        INTEGER NOT NULL,
    requests            INTEGER NOT NULL,
    errors              INTEGER NOT NULL,
    input_tokens        INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    total_tokens        INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    reasoning_tokens    INTEGER NOT NULL,
    cost_usd            REAL    NOT NULL,
    duration_ms         REAL    NOT NULL,
    PRIMARY KEY (day, dims)
  ) STRICT, WITHOUT ROWID;

  INSERT INTO usage_daily
  SELECT day, json_array(model, endpoint, api_key_id, user, is_error, was_streamed),
         model, endpoint, api_key_id, user, is_error, was_streamed,
         COUNT(*), SUM(is_error),
         COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), COALESCE(SUM(total_tokens), 0),
         COALESCE(SUM(cached_input_tokens), 0), COALESCE(SUM(reasoning_tokens), 0),
         COALESCE(SUM(cost_usd), 0.0), SUM(duration_ms)
  FROM (SELECT *, start_time - (start_time % 86400000) AS day FROM requests)
  GROUP BY day, model, endpoint, api_key_id, user, is_error, was_streamed;

  CREATE TABLE store_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  `,
];

/** Brings the database up to the latest schema version. Returns the versions it applied. */
export function applyMigrations(db: Database.Database, migrations: readonly string[] = MIGRATIONS): number[] {
  db.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      applied_at TEXT    NOT NULL
    )
  `);
  const currentVersion = db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').pluck();
  const markApplied = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');

  const latest = migrations.length;
  const found = currentVersion.get() as number;
  if (found > latest) {
    throw new Error(`database schema version ${found} is newer than this build supports (${latest})`);
  }

  const applied: number[] = [];
  for (let version = found + 1; version <= latest; version++) {
    const sql = migrations[version - 1] as string;
    // IMMEDIATE takes the write lock first, so two processes opening the same file at once cannot
    // both apply a migration: the second waits (busy_timeout), then sees it is already done.
    db.transaction(() => {
      if ((currentVersion.get() as number) >= version) return;
      db.exec(sql);
      markApplied.run(version, new Date().toISOString());
      applied.push(version);
    }).immediate();
  }
  return applied;
}
