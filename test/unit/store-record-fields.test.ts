/**
 * The field table drives the SQLite columns, mappers and validation: the migrated `requests`
 * table has exactly its columns with matching types, and a record survives the round trip.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { RECORD_FIELDS, type FieldType } from '../../src/domain/record-fields.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeRecord } from '../contract/records.js';

const SQL_TYPE: Record<FieldType, string> = { time: 'INTEGER', integer: 'INTEGER', flag: 'INTEGER', real: 'REAL', text: 'TEXT' };

describe('the record field table', () => {
  it('matches the migrated requests table column for column (name, type, NOT NULL)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmp-fields-'));
    try {
      const path = join(dir, 'metrics.db');
      await openSqliteStore(path).close();
      const db = new Database(path, { readonly: true });
      const columns = db.prepare('PRAGMA table_info(requests)').all() as Array<{ name: string; type: string; notnull: number }>;
      db.close();
      // Columns added by later migrations come last in the table, so compare in name order.
      const byName = (a: readonly unknown[], b: readonly unknown[]): number => String(a[0]).localeCompare(String(b[0]));
      assert.deepEqual(
        columns.map((c) => [c.name, c.type, c.notnull === 1]).sort(byName),
        [['id', 'INTEGER', false], ...RECORD_FIELDS.map((f) => [f.name, SQL_TYPE[f.type], !f.nullable])].sort(byName),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every field round-trips through the store, optional ones as null when left out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmp-fields-'));
    const store = openSqliteStore(join(dir, 'metrics.db'));
    try {
      const full = makeRecord({ tool_calls: 2, backend_load_ms: 1.5, cache_creation_input_tokens: 7, tags: { team: 'red' } });
      const { tool_calls: _t, backend_load_ms: _b, cache_creation_input_tokens: _c, ...bare } = full;
      await store.recordBatch([full, bare]);
      const [a, b] = (await store.scan(0, 10)).map((r) => r.record);
      assert.deepEqual(a, { ...full, backend_prompt_ms: full.backend_prompt_ms ?? null, backend_generation_ms: full.backend_generation_ms ?? null, backend_tokens_per_second: full.backend_tokens_per_second ?? null, backend_total_ms: full.backend_total_ms ?? null });
      assert.equal(b?.tool_calls, null);
      assert.equal(b?.backend_load_ms, null);
      assert.equal(b?.cache_creation_input_tokens, null);
      for (const field of RECORD_FIELDS) assert.ok(field.name in a!, `${field.name} present`);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
