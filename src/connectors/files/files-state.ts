import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ErpError } from '../../errors/index.ts';
import type { ExportRecord } from './export-records.ts';

/**
 * The `files` connector's own state, one SQLite file in its stateDir: the records of every export
 * read so far (what `read` and `get` answer from), the ledger of processed files by content hash
 * (the same file dropped twice is processed once), and the versions that confirmed writes replaced
 * (so an export written before a write cannot bring the old value back).
 *
 * An export is staged row by row and merged in one transaction, so a read never sees half a file,
 * and a file refused halfway leaves nothing behind. Persisted format versioned from the start.
 */

/** The state file's format; a file of another version is refused with what to do. */
export const FILES_STATE_VERSION = 1;

/** One processed file in the ledger. */
export interface LedgerEntry {
  hash: string;
  file: string;
  entity: string;
  records: number;
  processedAt: string;
}

/** A stored record: its key, version and fields. */
export interface StoredRecord {
  key: string;
  version: string | null;
  data: Record<string, unknown>;
}

/** Equality filters on record fields: trimmed, case-insensitive (`open` finds `OPEN`). */
export type RecordFilter = Readonly<Record<string, string | number | boolean>>;

export interface FilesState {
  /** Where the state lives, for messages. */
  readonly path: string;
  /** Empties the staging area for a new file. */
  beginStaging(): void;
  /** Adds records of the file being read to the staging area. */
  stage(entity: string, records: readonly ExportRecord[]): void;
  /**
   * Merges the staged records into the entity's records and notes `hash` in the ledger, in one
   * transaction — unless `hash` is already there: then nothing changes and the earlier entry is returned.
   */
  commitStaging(entry: LedgerEntry): { kind: 'merged' } | { kind: 'duplicate'; first: LedgerEntry };
  discardStaging(): void;
  /** Whether any export of `entity` has been merged. */
  hasExport(entity: string): boolean;
  /** Records of `entity` after `after` (by key), at most `limit`, matching `filter`. */
  page(entity: string, filter: RecordFilter, after: string, limit: number): StoredRecord[];
  count(entity: string, filter: RecordFilter): number;
  get(entity: string, key: string): StoredRecord | undefined;
  /**
   * What the ERP's result file confirmed: the record moved from `fromVersion` to `toVersion` with
   * `fields`. Updates the stored record only if it still holds `fromVersion` (a later export may
   * already show the change or a newer one), and remembers `fromVersion` as replaced. Returns the record now.
   */
  confirm(change: {
    entity: string;
    key: string;
    fromVersion: string | null;
    toVersion: string | null;
    fields: Record<string, unknown>;
    versionField: string | undefined;
  }): StoredRecord | undefined;
  close(): void;
}

interface RecordRow {
  key: string;
  version: string | null;
  data: string;
}

/** Opens (creating when missing) `<stateDir>/files-state.sqlite`. */
export function openFilesState(stateDir: string, connector: string): FilesState {
  mkdirSync(stateDir, { recursive: true });
  const path = join(stateDir, 'files-state.sqlite');
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS records (
        entity TEXT NOT NULL, key TEXT NOT NULL, version TEXT, data TEXT NOT NULL, source TEXT NOT NULL,
        PRIMARY KEY (entity, key)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS ledger (
        hash TEXT PRIMARY KEY, file TEXT NOT NULL, entity TEXT NOT NULL, records INTEGER NOT NULL,
        processed_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS ledger_entity ON ledger (entity);
      CREATE TABLE IF NOT EXISTS replaced (
        entity TEXT NOT NULL, key TEXT NOT NULL, version TEXT NOT NULL,
        PRIMARY KEY (entity, key, version)) WITHOUT ROWID;
    `);
    const stored = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'version'").get();
    if (stored === undefined) {
      db.prepare("INSERT INTO meta (key, value) VALUES ('version', ?)").run(String(FILES_STATE_VERSION));
    } else if (stored.value !== String(FILES_STATE_VERSION)) {
      throw new ErpError(
        'permanent',
        `${path} holds files-connector state version ${stored.value}; this erpbridge reads version ${FILES_STATE_VERSION}`,
        {
          connector,
          file: path,
          hint: `move the file away (the connector rebuilds it from the next exports), or set connectors.${connector}.stateDir to a new folder`,
        },
      );
    }
    // Per connection (TEMP): two processes sharing the state never mix the files they are reading.
    db.exec(`CREATE TEMP TABLE staging (
      entity TEXT NOT NULL, key TEXT NOT NULL, version TEXT, data TEXT NOT NULL,
      PRIMARY KEY (entity, key)) WITHOUT ROWID`);
  } catch (error) {
    db.close();
    throw error;
  }

  const insertStaged = db.prepare<[string, string, string | null, string]>(
    'INSERT OR REPLACE INTO staging (entity, key, version, data) VALUES (?, ?, ?, ?)',
  );
  const stageMany = db.transaction((entity: string, records: readonly ExportRecord[]) => {
    for (const record of records)
      insertStaged.run(entity, record.key, record.version, JSON.stringify(record.data));
  });
  const clearStaging = db.prepare('DELETE FROM staging');
  const findHash = db.prepare<
    [string],
    { hash: string; file: string; entity: string; records: number; processedAt: string }
  >('SELECT hash, file, entity, records, processed_at AS processedAt FROM ledger WHERE hash = ?');
  // A staged record whose version a confirmed write already replaced is older than what we hold.
  const merge = db.prepare<[string, string]>(`
    INSERT INTO records (entity, key, version, data, source)
    SELECT s.entity, s.key, s.version, s.data, ? FROM staging AS s
    WHERE s.entity = ? AND NOT EXISTS (
      SELECT 1 FROM replaced AS r WHERE r.entity = s.entity AND r.key = s.key AND r.version = s.version)
    ON CONFLICT (entity, key) DO UPDATE SET version = excluded.version, data = excluded.data, source = excluded.source`);
  const insertLedger = db.prepare<[string, string, string, number, string]>(
    'INSERT INTO ledger (hash, file, entity, records, processed_at) VALUES (?, ?, ?, ?, ?)',
  );
  const commit = db.transaction((entry: LedgerEntry) => {
    const first = findHash.get(entry.hash);
    if (first !== undefined) {
      clearStaging.run();
      return { kind: 'duplicate' as const, first };
    }
    merge.run(entry.file, entry.entity);
    insertLedger.run(entry.hash, entry.file, entry.entity, entry.records, entry.processedAt);
    clearStaging.run();
    return { kind: 'merged' as const };
  });
  const anyExport = db
    .prepare<[string], number>('SELECT count(*) FROM ledger WHERE entity = ? LIMIT 1')
    .pluck();
  const selectOne = db.prepare<[string, string], RecordRow>(
    'SELECT key, version, data FROM records WHERE entity = ? AND key = ?',
  );
  const updateRecord = db.prepare<[string | null, string, string, string]>(
    'UPDATE records SET version = ?, data = ? WHERE entity = ? AND key = ?',
  );
  const insertReplaced = db.prepare<[string, string, string]>(
    'INSERT OR IGNORE INTO replaced (entity, key, version) VALUES (?, ?, ?)',
  );
  // One prepared statement per filter shape (the filters' field names), made on first use.
  const pages = new Map<string, Database.Statement<unknown[], RecordRow>>();
  const counts = new Map<string, Database.Statement<unknown[], number>>();
  const pageStatement = (where: string): Database.Statement<unknown[], RecordRow> => {
    let statement = pages.get(where);
    if (statement === undefined) {
      statement = db.prepare<unknown[], RecordRow>(
        `SELECT key, version, data FROM records WHERE entity = ? AND key > ?${where} ORDER BY key LIMIT ?`,
      );
      pages.set(where, statement);
    }
    return statement;
  };
  const countStatement = (where: string): Database.Statement<unknown[], number> => {
    let statement = counts.get(where);
    if (statement === undefined) {
      statement = db
        .prepare<unknown[], number>(`SELECT count(*) FROM records WHERE entity = ?${where}`)
        .pluck();
      counts.set(where, statement);
    }
    return statement;
  };

  const whereFilter = (filter: RecordFilter): { sql: string; values: string[] } => {
    const names = Object.keys(filter).sort();
    const sql = names.map(() => ' AND upper(trim(json_extract(data, ?))) = upper(trim(?))').join('');
    const values = names.flatMap((name) => [jsonPath(name), String(filter[name])]);
    return { sql, values };
  };

  const toStored = (row: RecordRow): StoredRecord => ({
    key: row.key,
    version: row.version,
    data: parseData(row.data),
  });

  const confirm = db.transaction((change: Parameters<FilesState['confirm']>[0]): StoredRecord | undefined => {
    if (change.fromVersion !== null) insertReplaced.run(change.entity, change.key, change.fromVersion);
    const row = selectOne.get(change.entity, change.key);
    if (row === undefined) return undefined;
    if (row.version !== change.fromVersion) return toStored(row);
    const data = { ...parseData(row.data), ...change.fields };
    if (change.versionField !== undefined && change.toVersion !== null)
      data[change.versionField] = change.toVersion;
    const version = change.toVersion ?? row.version;
    updateRecord.run(version, JSON.stringify(data), change.entity, change.key);
    return { key: row.key, version, data };
  });

  return {
    path,
    beginStaging: () => {
      clearStaging.run();
    },
    stage: (entity, records) => stageMany(entity, records),
    commitStaging: (entry) => commit(entry),
    discardStaging: () => {
      clearStaging.run();
    },
    hasExport: (entity) => (anyExport.get(entity) ?? 0) > 0,
    page(entity, filter, after, limit) {
      const where = whereFilter(filter);
      return pageStatement(where.sql)
        .all(entity, after, ...where.values, limit)
        .map(toStored);
    },
    count(entity, filter) {
      const where = whereFilter(filter);
      return countStatement(where.sql).get(entity, ...where.values) ?? 0;
    },
    get(entity, key) {
      const row = selectOne.get(entity, key);
      return row === undefined ? undefined : toStored(row);
    },
    confirm: (change) => confirm(change),
    close: () => {
      if (db.open) db.close();
    },
  };
}

/** The JSON path of a top-level field, quoted; callers refuse names with a double quote. */
function jsonPath(field: string): string {
  return `$."${field}"`;
}

function parseData(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value))
    : {};
}
