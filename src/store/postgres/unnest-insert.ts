import { CompiledQuery } from 'kysely';
import { type BatchTable, quoteIdentifier } from '../batch-tables.ts';

export interface UnnestInsertOptions<Row> extends BatchTable<Row> {
  /** A column the statement returns for each row it inserted (conflicts it skipped return none). */
  returning?: keyof Row & string;
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
      options.onConflict ?? '',
      options.returning === undefined ? '' : `returning ${quoteIdentifier(options.returning)}`,
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
