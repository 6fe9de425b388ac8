import Database from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  MssqlDialect,
  MysqlDialect,
  PostgresDialect,
  SqliteDialect,
} from 'kysely';
import type { ReadOnlyBegin } from './guarded-dialect.ts';
import type { ResolvedConnection } from './sql-config.ts';
import type { SqlDialect } from './sql-dialect.ts';

/**
 * One Kysely dialect per database, each opened the read-only way that database offers and told to
 * hand decimals and dates over as text (see `row-values.ts`). Drivers are imported when first
 * needed, so a configuration without Oracle never loads oracledb.
 *
 * | database   | session                                              | each read                                   |
 * | ---------- | ---------------------------------------------------- | ------------------------------------------- |
 * | SQLite     | file opened `readonly`, `PRAGMA query_only = ON`     | `begin` (a snapshot for a page and its lines) |
 * | PostgreSQL | `default_transaction_read_only=on`, statement_timeout | `start transaction … read only`             |
 * | MySQL      | `SET SESSION TRANSACTION READ ONLY`, max_execution_time | `start transaction … read only`          |
 * | MariaDB    | `SET SESSION TRANSACTION READ ONLY`, max_statement_time | `start transaction … read only`          |
 * | SQL Server | `ApplicationIntent=ReadOnly` (no read-only sessions exist) | a transaction; the login's grants decide |
 * | Oracle     | NLS formats for text dates, call timeout            | `set transaction read only`                 |
 */

/** Bounds and sizes every dialect applies. */
export interface SessionSettings {
  timeoutMs: number;
  poolSize: number;
}

/** An inner Kysely dialect and how to begin a read-only transaction on it. */
export interface ReadOnlyDialect {
  dialect: Dialect;
  begin: ReadOnlyBegin;
}

/** The statements that begin each read, per database (shown in docs and tests). */
export const READ_ONLY_BEGIN = {
  sqlite: ['begin'],
  postgres: ['start transaction isolation level repeatable read, read only'],
  mysql: ['start transaction with consistent snapshot, read only'],
  mariadb: ['start transaction with consistent snapshot, read only'],
  // SQL Server has no read-only transaction; tedious begins an ordinary one.
  mssql: [],
  // Oracle begins transactions implicitly; this must be the first statement of one.
  oracle: ['set transaction read only'],
} as const satisfies Record<SqlDialect, readonly string[]>;

/** The statements each new MySQL or MariaDB session runs first. */
export function mysqlSessionStatements(dialect: 'mysql' | 'mariadb', timeoutMs: number): string[] {
  const timeout =
    dialect === 'mysql'
      ? `SET SESSION max_execution_time = ${Math.round(timeoutMs)}`
      : `SET SESSION max_statement_time = ${(timeoutMs / 1000).toFixed(3)}`;
  return ['SET SESSION TRANSACTION READ ONLY', timeout];
}

/** The statement each new Oracle session runs first: text formats for dates and numbers, UTC, the schema. */
export function oracleSessionStatement(schema: string | undefined): string {
  const settings = [
    "NLS_DATE_FORMAT = 'YYYY-MM-DD HH24:MI:SS'",
    "NLS_TIMESTAMP_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF3'",
    "NLS_NUMERIC_CHARACTERS = '.,'",
    "TIME_ZONE = '+00:00'",
    ...(schema === undefined ? [] : [`CURRENT_SCHEMA = "${schema}"`]),
  ];
  return `ALTER SESSION SET ${settings.join(' ')}`;
}

const FACTORIES = {
  sqlite: sqliteDialect,
  postgres: postgresDialect,
  mysql: mysqlDialect,
  mariadb: mysqlDialect,
  mssql: mssqlDialect,
  oracle: oracleDialect,
} satisfies Record<SqlDialect, (connection: ResolvedConnection, settings: SessionSettings) => unknown>;

/** The Kysely dialect for `connection`. Opens nothing: connections are made by the first read. */
export async function createReadOnlyDialect(
  connection: ResolvedConnection,
  settings: SessionSettings,
): Promise<ReadOnlyDialect> {
  return FACTORIES[connection.dialect](connection, settings);
}

function beginWith(statements: readonly string[]): (connection: DatabaseConnection) => Promise<void> {
  return async (connection) => {
    for (const statement of statements) await connection.executeQuery(CompiledQuery.raw(statement));
  };
}

async function sqliteDialect(
  connection: ResolvedConnection,
  settings: SessionSettings,
): Promise<ReadOnlyDialect> {
  const file = connection.file ?? '';
  return {
    dialect: new SqliteDialect({
      database: async () => {
        const db = new Database(file, { readonly: true, fileMustExist: true, timeout: settings.timeoutMs });
        // Refuses writes even to a file that is writable, on this connection.
        db.pragma('query_only = ON');
        return db;
      },
    }),
    begin: beginWith(READ_ONLY_BEGIN.sqlite),
  };
}

/** PostgreSQL type ids whose values stay text: int8, numeric, date, time, timestamp, timestamptz, timetz. */
const PG_TEXT_TYPES = [20, 1700, 1082, 1083, 1114, 1184, 1266];

async function postgresDialect(
  connection: ResolvedConnection,
  settings: SessionSettings,
): Promise<ReadOnlyDialect> {
  const { default: pg } = await import('pg');
  const types = new pg.TypeOverrides();
  for (const oid of PG_TEXT_TYPES) types.setTypeParser(oid, 'text', (value: string) => value);
  const options = [
    '-c default_transaction_read_only=on',
    ...(connection.schema === undefined ? [] : [`-c search_path=${connection.schema}`]),
  ].join(' ');
  const pool = new pg.Pool({
    host: connection.host,
    port: connection.port ?? 5432,
    user: connection.user,
    password: connection.password,
    database: connection.database,
    ssl: connection.ssl,
    max: settings.poolSize,
    connectionTimeoutMillis: settings.timeoutMs,
    statement_timeout: settings.timeoutMs,
    idle_in_transaction_session_timeout: settings.timeoutMs,
    application_name: 'erpbridge',
    options,
    types,
  });
  // An idle connection the server dropped is discarded by the pool; the next read reports the
  // problem if it persists. Without a listener, node would exit on the event.
  pool.on('error', () => undefined);
  return {
    dialect: new PostgresDialect({ pool }),
    begin: beginWith(READ_ONLY_BEGIN.postgres),
  };
}

async function mysqlDialect(
  connection: ResolvedConnection,
  settings: SessionSettings,
): Promise<ReadOnlyDialect> {
  const { createPool } = await import('mysql2');
  const dialect = connection.dialect === 'mysql' ? 'mysql' : 'mariadb';
  const pool = createPool({
    host: connection.host,
    port: connection.port ?? 3306,
    user: connection.user,
    password: connection.password,
    database: connection.database,
    connectionLimit: settings.poolSize,
    connectTimeout: settings.timeoutMs,
    ...(connection.ssl ? { ssl: {} } : {}),
    charset: 'utf8mb4',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    multipleStatements: false,
  });
  return {
    dialect: new MysqlDialect({
      pool,
      onCreateConnection: beginWith(mysqlSessionStatements(dialect, settings.timeoutMs)),
    }),
    begin: beginWith(READ_ONLY_BEGIN[dialect]),
  };
}

async function mssqlDialect(
  connection: ResolvedConnection,
  settings: SessionSettings,
): Promise<ReadOnlyDialect> {
  const tedious = await import('tedious');
  const tarn = await import('tarn');
  return {
    dialect: new MssqlDialect({
      tarn: {
        ...tarn,
        options: {
          min: 0,
          max: settings.poolSize,
          acquireTimeoutMillis: settings.timeoutMs,
          createTimeoutMillis: settings.timeoutMs,
          propagateCreateError: true,
        },
      },
      tedious: {
        ...tedious,
        connectionFactory: () =>
          new tedious.Connection({
            server: connection.host,
            authentication: {
              type: 'default',
              options: { userName: connection.user, password: connection.password },
            },
            options: {
              port: connection.port ?? 1433,
              ...(connection.database === undefined ? {} : { database: connection.database }),
              // Routes to a readable secondary where there is one; SQL Server has no read-only session.
              readOnlyIntent: true,
              requestTimeout: settings.timeoutMs,
              connectTimeout: settings.timeoutMs,
              encrypt: connection.ssl,
              // DATETIME values are wall-clock times; read them as UTC so none moves with a time zone.
              useUTC: true,
              appName: 'erpbridge',
            },
          }),
      },
    }),
    begin: (inner, driver) => driver.beginTransaction(inner, {}),
  };
}

async function oracleDialect(
  connection: ResolvedConnection,
  settings: SessionSettings,
): Promise<ReadOnlyDialect> {
  const { default: oracledb } = await import('oracledb');
  const { OracleDialect } = await import('kysely-oracledb');
  const textTypes = new Set([
    oracledb.DB_TYPE_DATE,
    oracledb.DB_TYPE_TIMESTAMP,
    oracledb.DB_TYPE_TIMESTAMP_TZ,
    oracledb.DB_TYPE_TIMESTAMP_LTZ,
    oracledb.DB_TYPE_NUMBER,
  ]);
  const sessionStatement = oracleSessionStatement(connection.schema);
  // The pool is created by the first read, so building the dialect opens nothing.
  let pool: ReturnType<typeof oracledb.createPool> | undefined;
  const poolNow = () => {
    pool ??= oracledb.createPool({
      user: connection.user,
      password: connection.password,
      connectString: `${connection.host}:${connection.port ?? 1521}/${connection.database ?? ''}`,
      poolMin: 0,
      poolMax: settings.poolSize,
      poolIncrement: 1,
      connectTimeout: Math.max(1, Math.ceil(settings.timeoutMs / 1000)),
      sessionCallback: (session, _tag, done) => {
        session.callTimeout = settings.timeoutMs;
        session.execute(sessionStatement).then(
          () => done(),
          (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
        );
      },
    });
    return pool;
  };
  const silent = () => undefined;
  return {
    dialect: new OracleDialect({
      pool: {
        getConnection: async () => (await poolNow()).getConnection(),
        close: async () => {
          if (pool !== undefined) await (await pool).close(0);
        },
      },
      logger: { trace: silent, debug: silent, info: silent, warn: silent, error: silent, fatal: silent },
      executeOptions: {
        fetchTypeHandler: (metadata) =>
          metadata.dbType !== undefined && textTypes.has(metadata.dbType)
            ? { type: oracledb.STRING }
            : undefined,
      },
    }),
    begin: async (inner, driver) => {
      await driver.beginTransaction(inner, {});
      await beginWith(READ_ONLY_BEGIN.oracle)(inner);
    },
  };
}
