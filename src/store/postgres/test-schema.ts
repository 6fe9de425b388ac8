import pg from 'pg';
import { uniqueSchema } from '../../connectors/sql/test-databases.ts';
import type { Store } from '../contract.ts';
import type { StoreUnderTest } from '../store-conformance.ts';
import { SCHEMA_NAME } from './postgres-database.ts';
import { createPostgresStore, type PostgresStoreOptions } from './postgres-store.ts';

/**
 * For tests only (not exported from the folder): PostgreSQL stores in a schema of their own, so
 * test files running at once never see each other's rows. Reach the server through
 * `probeServer('postgres')` from `src/connectors/sql/test-databases.ts`, which skips or fails (CI).
 */
export class TestSchema {
  readonly url: string;
  readonly schema: string;
  readonly #stores: Store[] = [];

  constructor(url: string, prefix = 'store') {
    this.url = url;
    this.schema = uniqueSchema(prefix);
    if (!SCHEMA_NAME.test(this.schema)) throw new Error(`test schema ${this.schema} is not an identifier`);
  }

  /** A store on this schema (closed by `drop`). */
  store(options: Partial<PostgresStoreOptions> = {}): Store {
    const store = createPostgresStore({ url: this.url, schema: this.schema, ...options });
    this.#stores.push(store);
    return store;
  }

  /**
   * For the conformance suite: a store on this schema that starts empty. The schema is migrated
   * once; cleanup empties every table but the migrations' and closes the store.
   */
  async conformanceStore(): Promise<StoreUnderTest> {
    const store = createPostgresStore({ url: this.url, schema: this.schema });
    return {
      store,
      cleanup: async () => {
        await this.#truncate();
        await store.close();
      },
    };
  }

  /** Closes every store made here and drops the schema with everything in it. */
  async drop(): Promise<void> {
    for (const store of this.#stores.splice(0)) await store.close();
    await this.sql(`drop schema if exists "${this.schema}" cascade`);
  }

  /** Runs SQL on a connection of its own (search_path = this schema), for checks a Store does not offer. */
  async sql<Row extends Record<string, unknown>>(text: string, parameters: unknown[] = []): Promise<Row[]> {
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: 5000,
      options: `-c search_path=${this.schema}`,
    });
    await client.connect();
    try {
      return (await client.query<Row>(text, parameters)).rows;
    } finally {
      await client.end();
    }
  }

  /**
   * Empties the store's tables with `delete` (much faster than `truncate` on tiny tables): tables
   * that reference others first, then the rest. Foreign keys here are one level deep.
   */
  async #truncate(): Promise<void> {
    const tables = await this.sql<{ tablename: string; references: boolean }>(
      `select tablename, exists (
         select 1 from pg_constraint
          where contype = 'f' and conrelid = format('%I.%I', schemaname, tablename)::regclass
       ) as "references"
         from pg_tables where schemaname = $1 and tablename not like 'kysely_%'
        order by 2 desc`,
      [this.schema],
    );
    if (tables.length === 0) return;
    await this.sql(tables.map((table) => `delete from "${table.tablename}"`).join('; '));
  }
}
