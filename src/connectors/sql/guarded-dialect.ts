import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
} from 'kysely';

/**
 * Wraps a Kysely dialect so that every statement a query sends passes one gate first, and every
 * transaction it opens is read-only. The single choke point between erpbridge and the database
 * driver: nothing reaches the driver's `executeQuery` without the gate's consent.
 *
 * Transaction control (begin, commit, rollback) goes to the driver's own connection and never
 * through the gate: those statements are fixed in code (`ReadOnlyBegin`), never built from
 * configuration or data.
 */

/** Throws (and so stops the statement) when a statement must not be sent. */
export type StatementGate = (compiled: CompiledQuery) => void;

/** A statement handed to the driver, after the gate let it pass. */
export interface StatementEvent {
  sql: string;
  parameters: readonly unknown[];
}

/**
 * Starts a read-only transaction on the driver's own connection. Kysely's transaction settings
 * are ignored: this dialect only ever reads.
 */
export type ReadOnlyBegin = (connection: DatabaseConnection, driver: Driver) => Promise<void>;

export interface GuardOptions {
  gate: StatementGate;
  begin: ReadOnlyBegin;
  /** Told of every statement handed to the driver; tests count them to prove what never left. */
  onStatement?: ((event: StatementEvent) => void) | undefined;
}

/** `inner`, guarded. */
export function guardedDialect(inner: Dialect, options: GuardOptions): Dialect {
  return {
    createDriver: () => new GuardedDriver(inner.createDriver(), options),
    createQueryCompiler: (): QueryCompiler => inner.createQueryCompiler(),
    createAdapter: (): DialectAdapter => inner.createAdapter(),
    // biome-ignore lint/suspicious/noExplicitAny: Kysely's Dialect interface is typed with Kysely<any>.
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => inner.createIntrospector(db),
  };
}

class GuardedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly options: GuardOptions,
  ) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    this.#pass(compiledQuery);
    return this.inner.executeQuery<R>(compiledQuery);
  }

  streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    this.#pass(compiledQuery);
    return this.inner.streamQuery<R>(compiledQuery, chunkSize);
  }

  #pass(compiledQuery: CompiledQuery): void {
    this.options.gate(compiledQuery);
    this.options.onStatement?.({ sql: compiledQuery.sql, parameters: compiledQuery.parameters });
  }
}

class GuardedDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly options: GuardOptions,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GuardedConnection(await this.inner.acquireConnection(), this.options);
  }

  beginTransaction(connection: DatabaseConnection): Promise<void> {
    return this.options.begin(innerOf(connection), this.inner);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(innerOf(connection));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(innerOf(connection));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

function innerOf(connection: DatabaseConnection): DatabaseConnection {
  if (!(connection instanceof GuardedConnection)) {
    throw new Error('a guarded driver was handed a connection it did not give out');
  }
  return connection.inner;
}
