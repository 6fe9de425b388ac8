import { type CreateTableBuilder, type Kysely, sql } from 'kysely';
import type { SqlTables } from '../../src/connectors/sql/read-only-database.ts';

/**
 * Tables as data — columns with ERP-style types, primary key, indexes — and their DDL in each
 * target dialect. Types are what the ERP declares (SAP's CHAR and NUMC, Oracle's NUMBER and DATE,
 * SQL Server's DATETIME and DECIMAL), translated to the nearest type each database has.
 */

/** The databases a personality can be materialised into. */
export type TargetDialect = 'sqlite' | 'postgres' | 'mysql' | 'mariadb';

export type ColumnType =
  /** Fixed width, blank-padded (SAP CHAR/NUMC/DATS, SQL Server CHAR). */
  | { kind: 'char'; length: number }
  | { kind: 'varchar'; length: number }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'bigint' }
  /** A date with a time of day (Oracle DATE, SQL Server DATETIME), to the second. */
  | { kind: 'datetime' };

export interface ColumnDefinition {
  name: string;
  type: ColumnType;
  /** Default false: NOT NULL, as legacy tables declare nearly everything. */
  nullable?: boolean;
  /** The DDL default, e.g. `' '` or `0` (SQL Server tables default every column). */
  defaultTo?: string | number;
}

export interface TableDefinition {
  name: string;
  columns: readonly ColumnDefinition[];
  primaryKey: readonly string[];
  indexes?: readonly { name: string; columns: readonly string[]; unique?: boolean }[];
}

export const char = (length: number): ColumnType => ({ kind: 'char', length });
export const varchar = (length: number): ColumnType => ({ kind: 'varchar', length });
export const decimal = (precision: number, scale = 0): ColumnType => ({ kind: 'decimal', precision, scale });
export const bigint: ColumnType = { kind: 'bigint' };
export const datetime: ColumnType = { kind: 'datetime' };

/** The column type in `dialect`'s DDL. */
export function ddlType(type: ColumnType, dialect: TargetDialect): string {
  switch (type.kind) {
    case 'char':
      // SQLite has no CHAR type; RTRIM collation gives it CHAR's comparison, trailing blanks ignored.
      return dialect === 'sqlite' ? `char(${type.length}) collate rtrim` : `char(${type.length})`;
    case 'varchar':
      return `varchar(${type.length})`;
    case 'decimal':
      return dialect === 'postgres'
        ? `numeric(${type.precision},${type.scale})`
        : `decimal(${type.precision},${type.scale})`;
    case 'bigint':
      return 'bigint';
    case 'datetime':
      // SQLite keeps 'YYYY-MM-DD HH:MM:SS' text, which sorts as the time it is.
      return dialect === 'postgres' ? 'timestamp(0)' : 'datetime';
  }
}

/**
 * Drops `table` if it exists and creates it with its primary key and, unless `indexes` is false (a
 * bulk load builds them afterwards with {@link createIndexes}, which is faster), its indexes.
 */
export async function createTable(
  db: Kysely<SqlTables>,
  table: TableDefinition,
  dialect: TargetDialect,
  options: { indexes?: boolean } = {},
) {
  await db.schema.dropTable(table.name).ifExists().execute();
  let create: CreateTableBuilder<string, string> = db.schema.createTable(table.name);
  for (const column of table.columns) {
    create = create.addColumn(column.name, sql.raw(ddlType(column.type, dialect)), (builder) => {
      let defined = column.nullable ? builder : builder.notNull();
      if (column.defaultTo !== undefined) defined = defined.defaultTo(column.defaultTo);
      return defined;
    });
  }
  await create.addPrimaryKeyConstraint(`${table.name}_PK`, [...table.primaryKey]).execute();
  if (options.indexes !== false) await createIndexes(db, table);
}

/** Creates `table`'s indexes. */
export async function createIndexes(db: Kysely<SqlTables>, table: TableDefinition) {
  for (const index of table.indexes ?? []) {
    const columns = sql.join(index.columns.map((column) => sql.id(column)));
    const unique = index.unique ? sql`unique ` : sql``;
    await sql`create ${unique}index ${sql.id(index.name)} on ${sql.table(table.name)} (${columns})`.execute(
      db,
    );
  }
}

/**
 * Inserts rows in multi-row statements, each under every dialect's limit on bound values (SQLite
 * allows 32766 per statement).
 */
export async function insertRows(
  db: Kysely<SqlTables>,
  table: TableDefinition,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  const perStatement = Math.max(1, Math.floor(30_000 / table.columns.length));
  const fixedWidth = table.columns.flatMap((column) =>
    column.type.kind === 'char' ? [{ name: column.name, length: column.type.length }] : [],
  );
  // CHAR semantics in every database: the value as the column holds it, blank-padded to its width.
  const asStored = (row: Record<string, unknown>) => {
    const stored = { ...row };
    for (const { name, length } of fixedWidth) {
      const value = stored[name];
      if (typeof value === 'string') stored[name] = fixed(value, length);
    }
    return stored;
  };
  for (let start = 0; start < rows.length; start += perStatement) {
    await db
      .insertInto(table.name)
      .values(rows.slice(start, start + perStatement).map(asStored))
      .execute();
  }
}

/** `text` blank-padded (or cut) to `length`, as a CHAR column holds it. */
export function fixed(text: string, length: number): string {
  return text.length >= length ? text.slice(0, length) : text.padEnd(length, ' ');
}
