import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { ErpError } from '../../errors/index.ts';
import type { StoreDatabase } from '../schema.ts';
import { TextCollationPlugin } from './text-collation-plugin.ts';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database` (or `postgresql://`). */
  url: string;
  /**
   * The schema that holds the store's tables (and its `kysely_migration`); `migrate()` creates it
   * if missing. A lowercase identifier. Default `public`.
   */
  schema?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** How long to wait for a connection, new or from the pool. Default 10,000 ms. */
  connectTimeoutMs?: number;
  /** Longest a statement may run, waits for locks included. Default 60,000 ms. */
  statementTimeoutMs?: number;
  /**
   * Told of an error on an idle pooled connection (the server restarted, a proxy dropped it); the
   * pool discards that connection and opens another when needed. Default: one line on stderr.
   */
  onIdleError?: (error: Error, target: string) => void;
}

/** A lowercase SQL identifier: safe in `search_path` without quoting, and the same in every tool. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const DEFAULTS = {
  schema: 'public',
  poolSize: 10,
  connectTimeoutMs: 10_000,
  statementTimeoutMs: 60_000,
} as const;

/** PostgreSQL type ids the store reads: int8 (counts), int4, float8. */
const INT8 = 20;
const INT4 = 23;
const FLOAT8 = 701;

export interface PostgresDatabase {
  db: Kysely<StoreDatabase>;
  schema: string;
  /** Server, database and schema for messages, without the password. */
  target: string;
}

/**
 * Everything PostgreSQL-specific about opening the store, in one place: the pool (size, timeouts,
 * `search_path` set to the store's schema at connect, so every query, raw or built, lands there),
 * type parsers that do not depend on process-wide `pg.types` (which other code may change), and
 * `text` columns that compare byte-wise (`TextCollationPlugin`). No connection is made until the
 * first query. Options are checked here, before any I/O.
 */
export function openPostgresDatabase(options: PostgresStoreOptions): PostgresDatabase {
  const schema = options.schema ?? DEFAULTS.schema;
  const target = describeTarget(options.url, schema);
  if (!SCHEMA_NAME.test(schema)) {
    throw new ErpError('validation', `PostgreSQL store schema "${schema}" is not a lowercase identifier`, {
      field: 'schema',
      hint: 'Use letters a-z, digits and _, starting with a letter or _ (e.g. erpbridge).',
    });
  }
  const poolSize = options.poolSize ?? DEFAULTS.poolSize;
  positiveInteger('poolSize', poolSize);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
  positiveInteger('connectTimeoutMs', connectTimeoutMs);
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULTS.statementTimeoutMs;
  positiveInteger('statementTimeoutMs', statementTimeoutMs);

  const types = new pg.TypeOverrides();
  // Counts are bigint: keep the text, callers convert (`Number`); never lose digits silently.
  types.setTypeParser(INT8, 'text', (value: string) => value);
  types.setTypeParser(INT4, 'text', (value: string) => Number(value));
  types.setTypeParser(FLOAT8, 'text', (value: string) => Number(value));

  const pool = new pg.Pool({
    connectionString: options.url,
    max: poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    application_name: 'erpbridge',
    options: `-c search_path=${schema}`,
    types,
  });
  const onIdleError =
    options.onIdleError ??
    ((error: Error, where: string) => {
      process.stderr.write(
        `erpbridge: PostgreSQL store at ${where}: idle connection lost: ${error.message}\n`,
      );
    });
  pool.on('error', (error) => onIdleError(error, target));

  const db = new Kysely<StoreDatabase>({
    dialect: new PostgresDialect({ pool }),
    plugins: [new TextCollationPlugin()],
  });
  return { db, schema, target };
}

/**
 * `postgres://user@host:5432/database (schema s)`: where the store is, for messages and logs,
 * with the password left out.
 */
export function describeTarget(url: string, schema: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ErpError('validation', 'the PostgreSQL store url is not a URL', {
      field: 'url',
      hint: 'Write it as postgres://user:password@host:5432/database.',
    });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ErpError('validation', `the PostgreSQL store url starts with ${parsed.protocol}//`, {
      field: 'url',
      hint: 'Write it as postgres://user:password@host:5432/database.',
    });
  }
  const user = parsed.username === '' ? '' : `${decodeURIComponent(parsed.username)}@`;
  const port = parsed.port === '' ? '' : `:${parsed.port}`;
  return `postgres://${user}${parsed.hostname}${port}${parsed.pathname} (schema ${schema})`;
}

function positiveInteger(option: string, value: number): void {
  if (!(Number.isInteger(value) && value > 0)) {
    throw new ErpError('validation', `PostgreSQL store ${option} must be a positive integer, got ${value}`, {
      field: option,
    });
  }
}
