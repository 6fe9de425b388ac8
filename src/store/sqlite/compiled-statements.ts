import type Database from 'better-sqlite3';
import type { Compilable, CompiledQuery } from 'kysely';

/**
 * Runs Kysely-built queries synchronously on the better-sqlite3 handle, reusing prepared statements
 * by SQL text (least recently used beyond `capacity` are dropped).
 *
 * Synchronous on purpose: a write transaction must not yield to the event loop while it holds
 * SQLite's write lock, or another store on the same file in this process would block the thread
 * in its busy wait while the lock holder can never finish. Kysely's own transactions are async.
 */
export class CompiledStatements {
  readonly #db: Database.Database;
  readonly #capacity: number;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database, capacity = 100) {
    this.#db = db;
    this.#capacity = capacity;
  }

  /** Runs a statement that returns no rows; `changes` counts the rows it touched. */
  run(query: Compilable | CompiledQuery): Database.RunResult {
    const { sql, parameters } = compiled(query);
    return this.#statement(sql).run(parameters);
  }

  /** Rows of a select, typed by the query that Kysely checked against the schema. */
  all<Row>(query: Compilable<Row> | CompiledQuery<Row>): Row[] {
    const { sql, parameters } = compiled(query);
    // The driver returns untyped rows; the query's type comes from Kysely, exactly as Kysely's own
    // SQLite driver trusts it. This is the one place the store takes a row type on trust.
    return this.#statement(sql).all(parameters) as Row[];
  }

  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      if (this.#statements.size >= this.#capacity) {
        const oldest = this.#statements.keys().next();
        if (!oldest.done) this.#statements.delete(oldest.value);
      }
    } else {
      this.#statements.delete(sql);
    }
    this.#statements.set(sql, statement);
    return statement;
  }
}

/** A query compiled now, or compiled once earlier (for statements run on every call). */
function compiled<Row>(query: Compilable<Row> | CompiledQuery<Row>): CompiledQuery<Row> {
  return 'compile' in query ? query.compile() : query;
}
