import { isAbsolute, resolve } from 'node:path';
import type { CompiledQuery, Kysely } from 'kysely';
import { describeError, ErpError } from '../../errors/index.ts';
import type {
  Connection,
  ConnectorContext,
  ReadQuery,
  RecordPage,
  RecordReject,
  TestResult,
  VendorRecord,
  WriteResult,
} from '../contract.ts';
import { decodeCursor, encodeCursor } from './read-cursor.ts';
import { openReadOnlyDatabase, type ReadOnlyDatabaseOptions, type SqlTables } from './read-only-database.ts';
import { keyParts, keyText, valueText } from './record-keys.ts';
import { childQueries, getQuery, type PagePosition, pageQuery } from './record-queries.ts';
import { type ColumnValue, normaliseRow, type SqlRow } from './row-values.ts';
import { resolveConnection, type SqlConfig, type SqlEntity } from './sql-config.ts';
import type { SqlDialect } from './sql-dialect.ts';
import { type SqlErrorContext, toErpError } from './sql-errors.ts';

/**
 * A `sql` connection: reads entities page by page (keyset pagination, optionally from a
 * watermark), gets one record by key, and never writes. Every statement goes through the read-only
 * executor (`read-only-database.ts`).
 */

/** Opens a `sql` connection. Does no I/O: the first read connects. */
export async function connectSql(
  config: SqlConfig,
  context: ConnectorContext,
  options: ReadOnlyDatabaseOptions = {},
): Promise<Connection> {
  const { dialect } = config;
  const where = `connectors.${context.name}`;
  const resolved = resolveConnection(dialect, config.connection);
  // A relative SQLite file is the config file's neighbour, as every path in erpbridge.yaml is.
  const file =
    resolved.file === undefined || isAbsolute(resolved.file)
      ? resolved.file
      : resolve(context.baseDir ?? '.', resolved.file);
  const database = await openReadOnlyDatabase(
    { ...resolved, file },
    { timeoutMs: config.timeoutMs, poolSize: config.poolSize },
    options,
  );
  const errorContext = (entity?: string, key?: string): SqlErrorContext => ({
    where,
    connector: context.name,
    url: database.target,
    ...(entity === undefined ? {} : { entity }),
    ...(key === undefined ? {} : { key }),
  });

  const entityFor = (name: string): SqlEntity => {
    // Own properties only: an entity named "constructor" is unknown, not Object's constructor.
    const entity = Object.hasOwn(config.entities, name) ? config.entities[name] : undefined;
    if (entity !== undefined) return entity;
    const known = Object.keys(config.entities).join(', ');
    throw new ErpError('permanent', `unknown entity "${name}"; this connector knows ${known}`, {
      ...errorContext(name),
      hint: `declare it under ${where}.entities`,
    });
  };

  /** Runs a database call; whatever it throws becomes an ErpError with this context. */
  const call = async <T>(work: () => Promise<T>, entity?: string, key?: string): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toErpError(error, errorContext(entity, key));
    }
  };

  /** The rows of one statement and their children, in one read-only transaction. */
  const readRows = (
    entity: SqlEntity,
    build: (db: Kysely<SqlTables>) => CompiledQuery,
  ): Promise<RowWithChildren[]> =>
    database.read(async (db) => {
      const result = await db.executeQuery<Record<string, unknown>>(build(db));
      return withChildren(db, dialect, entity, result.rows.map(normaliseRow));
    });

  async function* read(query: ReadQuery): AsyncGenerator<RecordPage, void, undefined> {
    const entity = entityFor(query.entity);
    query.signal?.throwIfAborted();
    const pageSize = query.pageSize ?? config.pageSize;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new ErpError('validation', `pageSize must be a positive integer, not ${pageSize}`, {
        ...errorContext(query.entity),
        field: 'pageSize',
      });
    }
    const filter = Object.entries(query.filter ?? {}).map(([name, value]) => {
      const column = Object.hasOwn(entity.filterColumns, name) ? entity.filterColumns[name] : undefined;
      if (column !== undefined) return { column, value };
      throw new ErpError('validation', `${query.entity} cannot be filtered by "${name}"`, {
        ...errorContext(query.entity),
        field: name,
        hint: `declare it under ${where}.entities.${query.entity}.filterColumns`,
      });
    });
    const since = query.changedSince ?? null;
    if (since !== null && entity.changedColumn === undefined) {
      throw new ErpError(
        'permanent',
        `${query.entity} has no changedColumn, so it cannot be read incrementally`,
        {
          ...errorContext(query.entity),
          hint: `declare ${where}.entities.${query.entity}.changedColumn, or turn off source.incremental`,
        },
      );
    }
    let position: PagePosition | undefined;
    let watermark: string | null = null;
    if (query.resumeFrom !== undefined) {
      const resumed = decodeCursor(query.resumeFrom, { entity: query.entity, since });
      if (resumed === undefined) {
        throw new ErpError('validation', 'resumeFrom is not a cursor this connector made for this read', {
          ...errorContext(query.entity),
          field: 'resumeFrom',
        });
      }
      position = resumed.after;
      watermark = resumed.watermark;
    }
    for (let pageNumber = 1; ; pageNumber++) {
      query.signal?.throwIfAborted();
      const request = {
        filter,
        changedSince: since ?? undefined,
        after: position,
        limit: pageSize + 1,
      };
      const rows = await call(
        () => readRows(entity, (db) => pageQuery(db, dialect, entity, request)),
        query.entity,
      );
      const more = rows.length > pageSize;
      const pageRows = more ? rows.slice(0, pageSize) : rows;
      if (pageNumber === 1) checkColumns(entity, pageRows, query.entity);
      const page: RecordPage = { records: [], total: null, rejects: [] };
      pageRows.forEach((fetched, index) => {
        const record = toRecord(entity, fetched);
        if (record !== undefined) page.records.push(record);
        else page.rejects?.push(reject(entity, query.entity, fetched.row, index, pageNumber));
        if (entity.changedColumn !== undefined) {
          watermark = later(watermark, fetched.row[entity.changedColumn] ?? null);
        }
      });
      const last = pageRows.at(-1)?.row;
      if (last !== undefined) {
        position = {
          key: entity.key.map((column) => last[column] ?? null),
          ...(since !== null && entity.changedColumn !== undefined
            ? { changed: last[entity.changedColumn] ?? null }
            : {}),
        };
      }
      page.cursor =
        more && position !== undefined
          ? encodeCursor({ entity: query.entity, since, after: position, watermark })
          : null;
      if (entity.changedColumn !== undefined) page.watermark = watermark;
      yield page;
      if (!more) return;
    }
  }

  const checkColumns = (entity: SqlEntity, rows: readonly RowWithChildren[], name: string): void => {
    const first = rows[0]?.row;
    if (first === undefined) return;
    const needed = [...entity.key, entity.version, entity.changedColumn].filter(
      (column): column is string => column !== undefined,
    );
    const missing = needed.find((column) => !Object.hasOwn(first, column));
    if (missing === undefined) return;
    throw new ErpError(
      'permanent',
      `the rows of ${name} have no column ${missing} (they have ${Object.keys(first).join(', ')})`,
      {
        ...errorContext(name),
        field: missing,
        hint: `check ${where}.entities.${name}: its query must select every key, version and changed column`,
      },
    );
  };

  const reject = (
    entity: SqlEntity,
    name: string,
    row: SqlRow,
    index: number,
    pageNumber: number,
  ): RecordReject => ({
    index,
    data: row,
    error: new ErpError(
      'validation',
      `${name} row ${index} on page ${pageNumber} has an empty key (${entity.key.join(', ')})`,
      {
        ...errorContext(name),
        field: entity.key.join(', '),
      },
    ),
  });

  const get = async (entityName: string, key: string, signal?: AbortSignal): Promise<VendorRecord | null> => {
    const entity = entityFor(entityName);
    signal?.throwIfAborted();
    const parts = keyParts(key, entity.key.length);
    if (parts === undefined) {
      throw new ErpError('validation', `"${key}" is not a key of ${entityName} (${entity.key.join(', ')})`, {
        ...errorContext(entityName, key),
        field: entity.key.join(', '),
      });
    }
    const rows = await call(
      () => readRows(entity, (db) => getQuery(db, dialect, entity, parts)),
      entityName,
      key,
    );
    if (rows.length > 1) {
      throw new ErpError(
        'permanent',
        `${entityName} ${key} matches ${rows.length} rows; its key is not unique`,
        {
          ...errorContext(entityName, key),
          hint: `check ${where}.entities.${entityName}.key`,
        },
      );
    }
    const [row] = rows;
    return row === undefined ? null : (toRecord(entity, row) ?? null);
  };

  const write = async (): Promise<WriteResult> => {
    throw new ErpError(
      'permanent',
      `connector ${context.name} reads the ERP's database and never writes to it: a direct write would bypass the ERP's business logic`,
      {
        connector: context.name,
        url: database.target,
        hint: "write through the ERP's sanctioned surface instead — its API, SOAP services or an import file (docs/erp/database-access.md)",
      },
    );
  };

  const test = async (): Promise<TestResult> => {
    const [entity] = Object.keys(config.entities);
    if (entity === undefined) return { ok: false, message: `${where} declares no entity to test` };
    try {
      for await (const page of read({ entity, pageSize: 1 })) {
        return {
          ok: true,
          message: `${database.target}: ${entity} answered (${page.records.length} row read)`,
        };
      }
      return { ok: false, message: `${database.target}: ${entity} answered no page` };
    } catch (error) {
      return { ok: false, message: describeError(error) };
    }
  };

  return { read, get, write, test, close: () => database.close() };
}

/** A row and its child lists by field name. */
interface RowWithChildren {
  row: SqlRow;
  children: Record<string, SqlRow[]>;
}

/** The record for a row, or undefined when its key is empty. Child lists become fields of its data. */
function toRecord(entity: SqlEntity, { row, children }: RowWithChildren): VendorRecord | undefined {
  const key = keyText(entity.key.map((column) => row[column] ?? null));
  if (key === undefined) return undefined;
  const version = entity.version === undefined ? null : (row[entity.version] ?? null);
  return { key, version: version === null ? null : valueText(version), data: { ...row, ...children } };
}

/** Reads each child list of `entity` for `rows` (one query per list and chunk, not per row). */
async function withChildren(
  db: Kysely<SqlTables>,
  dialect: SqlDialect,
  entity: SqlEntity,
  rows: SqlRow[],
): Promise<RowWithChildren[]> {
  const read: RowWithChildren[] = rows.map((row) => ({ row, children: {} }));
  if (rows.length === 0) return read;
  for (const [field, child] of Object.entries(entity.children)) {
    const childColumns = Object.keys(child.match);
    const parentColumns = Object.values(child.match);
    const byParent = new Map<string, SqlRow[]>();
    for (const compiled of childQueries(db, dialect, child, rows)) {
      const result = await db.executeQuery<Record<string, unknown>>(compiled);
      for (const childRow of result.rows.map(normaliseRow)) {
        const id = matchId(childColumns.map((column) => childRow[column] ?? null));
        const list = byParent.get(id);
        if (list === undefined) byParent.set(id, [childRow]);
        else list.push(childRow);
      }
    }
    for (const entry of read) {
      entry.children[field] =
        byParent.get(matchId(parentColumns.map((column) => entry.row[column] ?? null))) ?? [];
    }
  }
  return read;
}

/** Identifies matching values across tables, whose drivers may give one as 45 and the other as "45". */
function matchId(values: readonly ColumnValue[]): string {
  return JSON.stringify(values.map((value) => (value === null ? null : valueText(value))));
}

/** The later of two last-changed values: numbers by value, text by its sort order (ISO dates sort as they read). */
function later(current: string | null, value: ColumnValue): string | null {
  if (value === null || value === '') return current;
  const text = valueText(value);
  if (current === null) return text;
  const numeric = /^-?\d+(\.\d+)?$/;
  if (numeric.test(text) && numeric.test(current) && text.length !== current.length) {
    return Number(text) > Number(current) ? text : current;
  }
  return text > current ? text : current;
}
