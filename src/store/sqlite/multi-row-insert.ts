import type Database from 'better-sqlite3';
import { type BatchTable, quoteIdentifier } from '../batch-tables.ts';

/** SQLite's default limit on `?` parameters in one statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32). */
export const SQLITE_MAX_PARAMETERS = 32_766;

/** Rows per statement at most, however narrow the table: keeps one statement's text reasonable. */
const MAX_ROWS_PER_STATEMENT = 500;

/**
 * A multi-row `INSERT` for the hot batch paths, prepared once and run without compiling SQL per
 * call. Rows go in chunks that respect SQLite's parameter limit; a chunk smaller than the full size
 * is split into power-of-two pieces, so at most ~10 statements per table are ever prepared
 * (a cache keyed by every possible row count would hold hundreds of large statements).
 *
 * `run` must be called inside a transaction when the caller needs the rows to land atomically.
 */
export class MultiRowInsert<Row extends object> {
  readonly rowsPerStatement: number;
  readonly #db: Database.Database;
  readonly #options: BatchTable<Row>;
  readonly #columns: (keyof Row & string)[];
  readonly #statements = new Map<number, Database.Statement>();

  /** `options.columns` names the columns; their types are PostgreSQL's concern (SQLite binds values as they come). */
  constructor(db: Database.Database, options: BatchTable<Row>) {
    const columnTypes = options.columns;
    const isColumn = (name: string): name is keyof Row & string => name in columnTypes;
    this.#columns = Object.keys(columnTypes).filter(isColumn);
    if (this.#columns.length === 0) throw new Error(`insert into ${options.table} needs at least one column`);
    this.#db = db;
    this.#options = options;
    this.rowsPerStatement = Math.min(
      MAX_ROWS_PER_STATEMENT,
      Math.floor(SQLITE_MAX_PARAMETERS / this.#columns.length),
    );
  }

  /** Inserts the rows; returns how many rows the database changed (conflicts ignored count 0). */
  run(rows: readonly Row[]): number {
    let changed = 0;
    let at = 0;
    while (at < rows.length) {
      const size = this.#chunkSize(rows.length - at);
      changed += this.#statement(size).run(this.#parameters(rows, at, size)).changes;
      at += size;
    }
    return changed;
  }

  #chunkSize(remaining: number): number {
    if (remaining >= this.rowsPerStatement) return this.rowsPerStatement;
    // Largest power of two not above `remaining`.
    return 2 ** Math.floor(Math.log2(remaining));
  }

  #parameters(rows: readonly Row[], from: number, size: number): unknown[] {
    const columns = this.#columns;
    const parameters: unknown[] = new Array(size * columns.length);
    let index = 0;
    for (let rowIndex = from; rowIndex < from + size; rowIndex++) {
      const row = rows[rowIndex];
      if (row === undefined) throw new Error(`row ${rowIndex} of ${rows.length} is missing`);
      for (const column of columns) parameters[index++] = row[column];
    }
    return parameters;
  }

  #statement(size: number): Database.Statement {
    let statement = this.#statements.get(size);
    if (statement === undefined) {
      const { table, onConflict } = this.#options;
      const columns = this.#columns;
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      const text = [
        `insert into ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(', ')})`,
        `values ${Array.from({ length: size }, () => tuple).join(', ')}`,
        onConflict ?? '',
      ].join(' ');
      statement = this.#db.prepare(text);
      this.#statements.set(size, statement);
    }
    return statement;
  }
}
