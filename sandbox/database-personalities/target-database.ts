import Database from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { SqlTables } from '../../src/connectors/sql/read-only-database.ts';
import { type ResolvedConnection, resolveConnection } from '../../src/connectors/sql/sql-config.ts';
import type { TargetDialect } from './table-definition.ts';

/**
 * The database a personality is materialised into, opened for writing — the sandbox's side, the one
 * place that writes these tables. erpbridge itself reads them only through the read-only `sql`
 * connector.
 */

/** Where to materialise: a database, and the schema (PostgreSQL) or database (MySQL/MariaDB) to use. */
export interface MaterialiseTarget {
  dialect: TargetDialect;
  /**
   * SQLite: `{ file }` (created when missing). Others: `{ url }` (`postgres://user:pw@host:5432/db`,
   * `mysql://…`, `mariadb://…`) or host, port, user, password, database.
   */
  connection: {
    url?: string;
    file?: string;
    host?: string;
    port?: number;
    user?: string;
    password?: string;
    database?: string;
  };
  /**
   * PostgreSQL: the schema the tables go in; MySQL/MariaDB: the database. Created when missing, so
   * tests can take a unique one each and drop it afterwards. Not for SQLite.
   */
  schema?: string;
}

/** An open target: a Kysely instance for writing, and how the `sql` connector reaches the same tables. */
export interface OpenTarget {
  db: Kysely<SqlTables>;
  dialect: TargetDialect;
  /** The `connection:` of a `sql` connector that reads these tables. */
  readConnection: Record<string, unknown>;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Opens `target` for writing, creating its schema (or database) first. */
export async function openTarget(target: MaterialiseTarget): Promise<OpenTarget> {
  if (target.schema !== undefined && !SCHEMA_NAME.test(target.schema)) {
    throw new Error(`schema "${target.schema}" must be letters, digits and _, starting with a letter or _`);
  }
  const resolved = resolveConnection(target.dialect, { ...target.connection, ssl: false });
  switch (target.dialect) {
    case 'sqlite':
      return openSqlite(target, resolved);
    case 'postgres':
      return openPostgres(target, resolved);
    case 'mysql':
    case 'mariadb':
      return openMysql(target, resolved);
  }
}

async function openSqlite(target: MaterialiseTarget, resolved: ResolvedConnection): Promise<OpenTarget> {
  if (target.schema !== undefined) throw new Error('a SQLite target has no schema; use another file');
  const file = resolved.file;
  if (file === undefined) throw new Error('a SQLite target needs connection.file');
  const db = new Kysely<SqlTables>({ dialect: new SqliteDialect({ database: new Database(file) }) });
  return { db, dialect: 'sqlite', readConnection: { file }, close: () => db.destroy() };
}

async function openPostgres(target: MaterialiseTarget, resolved: ResolvedConnection): Promise<OpenTarget> {
  const { default: pg } = await import('pg');
  const types = new pg.TypeOverrides();
  // Timestamps stay text: no time zone of this process shifts them.
  for (const oid of [1082, 1114, 1184, 1700, 20]) types.setTypeParser(oid, 'text', (value: string) => value);
  const pool = new pg.Pool({
    host: resolved.host,
    port: resolved.port ?? 5432,
    user: resolved.user,
    password: resolved.password,
    database: resolved.database,
    max: 2,
    types,
    ...(target.schema === undefined ? {} : { options: `-c search_path=${target.schema}` }),
  });
  const db = new Kysely<SqlTables>({ dialect: new PostgresDialect({ pool }) });
  if (target.schema !== undefined)
    await sql`create schema if not exists ${sql.id(target.schema)}`.execute(db);
  return {
    db,
    dialect: 'postgres',
    readConnection: {
      host: resolved.host,
      port: resolved.port ?? 5432,
      ...(resolved.user === undefined ? {} : { user: resolved.user }),
      ...(resolved.password === undefined ? {} : { password: resolved.password }),
      database: resolved.database,
      ...(target.schema === undefined ? {} : { schema: target.schema }),
    },
    close: () => db.destroy(),
  };
}

async function openMysql(target: MaterialiseTarget, resolved: ResolvedConnection): Promise<OpenTarget> {
  const { createPool } = await import('mysql2');
  const pool = (database: string | undefined) =>
    createPool({
      host: resolved.host,
      port: resolved.port ?? 3306,
      user: resolved.user,
      password: resolved.password,
      database,
      connectionLimit: 2,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
  const database = target.schema ?? resolved.database;
  if (target.schema !== undefined) {
    const bootstrap = new Kysely<SqlTables>({ dialect: new MysqlDialect({ pool: pool(resolved.database) }) });
    try {
      await sql`create database if not exists ${sql.id(target.schema)} character set utf8mb4`.execute(
        bootstrap,
      );
    } finally {
      await bootstrap.destroy();
    }
  }
  const db = new Kysely<SqlTables>({ dialect: new MysqlDialect({ pool: pool(database) }) });
  return {
    db,
    dialect: target.dialect,
    readConnection: {
      host: resolved.host,
      port: resolved.port ?? 3306,
      ...(resolved.user === undefined ? {} : { user: resolved.user }),
      ...(resolved.password === undefined ? {} : { password: resolved.password }),
      database,
    },
    close: () => db.destroy(),
  };
}

/** Drops what a materialisation into `target` created: its schema (PostgreSQL) or database (MySQL/MariaDB). */
export async function dropTargetSchema(target: MaterialiseTarget): Promise<void> {
  if (target.schema === undefined) throw new Error('only a target with its own schema can be dropped whole');
  const { schema, ...rest } = target;
  const opened = await openTarget(rest);
  try {
    if (target.dialect === 'postgres')
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(opened.db);
    else await sql`drop database if exists ${sql.id(schema)}`.execute(opened.db);
  } finally {
    await opened.close();
  }
}
