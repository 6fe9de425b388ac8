import { CompiledQuery } from 'kysely';

/** The PostgreSQL array type each column's values travel as. */
export type ArrayElementType = 'text' | 'int4' | 'float8' | 'bool';

/**
 * Every column of a row type with its element type: listing one too few or one too many is a type
 * error, so a column added to the schema cannot be forgotten by a bulk insert.
 */
export type ColumnTypes<Row> = { readonly [Column in keyof Row & string]-?: ArrayElementType };

export interface UnnestInsertOptions<Row> {
  table: string;
  columns: ColumnTypes<Row>;
  /** Appended verbatim, e.g. `on conflict ("id") do nothing` or `returning "id"`. */
  suffix?: string;
}

/**
 * A bulk `INSERT` for the hot batch paths: `insert into t (a, b) select * from unnest($1::text[],
 * $2::int4[])`, one array parameter per column. The SQL text is the same for any number of rows, so
 * nothing is compiled per call, there is no parameter limit to chunk for (PostgreSQL's is 65,535),
 * and a 500-row batch is one round trip. Rows keep their order (the server inserts them in array
 * order, which keeps lock order predictable for callers that sort).
 */
export class UnnestInsert<Row extends object> {
  readonly #columns: (keyof Row & string)[];
  readonly #sql: string;

  constructor(options: UnnestInsertOptions<Row>) {
    const types = options.columns;
    const isColumn = (name: string): name is keyof Row & string => name in types;
    this.#columns = Object.keys(types).filter(isColumn);
    if (this.#columns.length === 0) throw new Error(`insert into ${options.table} needs at least one column`);
    const arrays = this.#columns.map((column, index) => `$${index + 1}::${types[column]}[]`);
    this.#sql = [
      `insert into ${quoteIdentifier(options.table)} (${this.#columns.map(quoteIdentifier).join(', ')})`,
      `select * from unnest(${arrays.join(', ')})`,
      options.suffix ?? '',
    ].join(' ');
  }

  /** The statement for these rows, ready for `executeQuery` (inside the caller's transaction). */
  compile(rows: readonly Row[]): CompiledQuery {
    return CompiledQuery.raw(this.#sql, columnArrays(rows, this.#columns));
  }
}

/** The rows as one array per column, in `columns` order: the parameters of an `unnest(…)`. */
export function columnArrays<Row extends object>(
  rows: readonly Row[],
  columns: readonly (keyof Row & string)[],
): unknown[][] {
  const arrays = columns.map(() => new Array<unknown>(rows.length));
  for (const [rowIndex, row] of rows.entries()) {
    for (const [columnIndex, column] of columns.entries()) {
      const array = arrays[columnIndex];
      if (array !== undefined) array[rowIndex] = row[column];
    }
  }
  return arrays;
}

/** Quotes an SQL identifier (`before`, `after` and `type` are keywords somewhere). */
export function quoteIdentifier(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
