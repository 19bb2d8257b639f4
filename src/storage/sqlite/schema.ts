// The kine-style schema: one append-only log table. Every write (create, update, delete)
// appends one row; its AUTOINCREMENT id is the write's revision. A key's current value is its
// newest row, and its value at revision R is its newest row with id <= R.
//
//   created      1 when the row creates the key (no prevKv in its watch event)
//   deleted      1 for a tombstone (value = the deleted value, so DELETE events carry it)
//   prev_revision  id of the key's previous row (0 if none): the modRevision being replaced
//   old_value    the previous value, so watch replay builds prevKv from one row even after
//                compaction removed the previous row
//
// UNIQUE(name, prev_revision) is the compare-and-swap guard: two writes that both read the
// same previous row cannot both append after it. AUTOINCREMENT (not plain rowid) keeps ids
// from being reused when compaction deletes the newest row (a tombstone), so revisions never
// go backwards across restarts.

export const SCHEMA_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  name            TEXT    NOT NULL,
  created         INTEGER NOT NULL,
  deleted         INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision   INTEGER NOT NULL,
  value           TEXT    NOT NULL,
  old_value       TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS kv_name_prev_revision ON kv (name, prev_revision);
-- Newest row per key (get, list, count). Carrying 'deleted' lets count run on the index alone.
CREATE INDEX IF NOT EXISTS kv_name_id ON kv (name, id, deleted);
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** Rows in meta. */
export const META_SCHEMA_VERSION = 'schema_version';
export const META_COMPACT_REVISION = 'compact_revision';

export interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
  old_value: string | null;
}

const COLS = 'id, name, created, deleted, create_revision, prev_revision, value, old_value';

// Ranges are [lo, hi) over names (see keys.ts prefixEnd); `after` pages use a strict lower
// bound instead, so each variant has its own statement and SQLite can seek straight to it.
// "Newest row at @rev" is written as NOT EXISTS a newer row at or below @rev; the
// kv_name_id index answers that with one seek per candidate.
const listSql = (lower: '>=' | '>') => `
SELECT k.id, k.name, k.create_revision, k.value FROM kv k
WHERE k.name ${lower} @lo AND k.name < @hi AND k.id <= @rev AND k.deleted = 0
  AND NOT EXISTS (SELECT 1 FROM kv n WHERE n.name = k.name AND n.id > k.id AND n.id <= @rev)
ORDER BY k.name LIMIT @limit`;

// SQLite gives bare columns of a MAX() aggregate the values of the row holding the maximum,
// so `deleted` below is the newest row's flag; this runs on kv_name_id without table reads.
const countSql = (lower: '>=' | '>') => `
SELECT COUNT(*) AS n FROM (
  SELECT MAX(id), deleted FROM kv WHERE name ${lower} @lo AND name < @hi AND id <= @rev GROUP BY name
) WHERE deleted = 0`;

export const SQL = {
  latest: `SELECT ${COLS} FROM kv WHERE name = ? ORDER BY id DESC LIMIT 1`,
  insert: `INSERT INTO kv (${COLS}) VALUES (@id, @name, @created, @deleted, @create_revision, @prev_revision, @value, @old_value)`,
  listFrom: listSql('>='),
  listAfter: listSql('>'),
  countFrom: countSql('>='),
  countAfter: countSql('>'),
  replay: `SELECT ${COLS} FROM kv WHERE id > @after AND id <= @upto AND name >= @lo AND name < @hi ORDER BY id LIMIT @limit`,
  // Compacting (from, to]: a row is superseded when a later row at or below `to` names it as
  // prev_revision; tombstones in the range go too. Rows <= from were handled last time.
  compactSuperseded: `DELETE FROM kv WHERE id IN (SELECT prev_revision FROM kv WHERE id > @from AND id <= @to AND prev_revision > 0)`,
  compactTombstones: `DELETE FROM kv WHERE id > @from AND id <= @to AND deleted = 1`,
  lastRevision: `SELECT seq FROM sqlite_sequence WHERE name = 'kv'`,
  getMeta: `SELECT value FROM meta WHERE key = ?`,
  setMeta: `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
} as const;
