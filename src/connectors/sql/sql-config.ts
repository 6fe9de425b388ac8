import { z } from 'zod';
import { checkReadOnlySelect } from './read-only-check.ts';
import { DIALECT_TRAITS, SQL_DIALECTS, type SqlDialect } from './sql-dialect.ts';

/**
 * The `sql` connector's configuration, as written under `connectors.<name>` in erpbridge.yaml.
 * Every configured query passes the parser check (`read-only-check.ts`) here, when the
 * configuration loads, so a query that could write is refused before any connection is opened.
 *
 * @example
 *   kind: sql
 *   dialect: postgres            # sqlite | postgres | mysql | mariadb | mssql | oracle
 *   connection:
 *     url: postgres://erpbridge_ro@erp-db:5432/erp     # or host, port, user, database
 *     password: ${ERP_DB_PASSWORD}
 *   pageSize: 500
 *   timeoutMs: 30000
 *   entities:
 *     purchase_orders:
 *       table: PO_HEADERS_ALL   # or query: SELECT … (one SELECT, no comments, no ";")
 *       key: SEGMENT1           # or [VENDOR_ID, PO_#]
 *       version: LAST_UPDATE_DATE
 *       changedColumn: LAST_UPDATE_DATE
 *       filterColumns: { status: CLOSED_CODE }
 *       children:
 *         lines: { table: PO_LINES_ALL, match: { PO_HEADER_ID: PO_HEADER_ID }, orderBy: [LINE_NUM] }
 */

/**
 * A column name as the connector refers to it (Kysely quotes it): letters, digits, `_`, `#`, `$`.
 * Narrower than what databases accept, so a name can never carry SQL.
 */
const Column = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_#$]*$/,
    'a column name: letters, digits, _, # or $, not starting with a digit',
  );

/** A table, optionally with its schema: `EKKO`, `sapsr3.EKKO`. */
const Table = z
  .string()
  .regex(
    /^([A-Za-z_][A-Za-z0-9_#$]*\.)?[A-Za-z_][A-Za-z0-9_#$]*$/,
    'a table name, optionally schema-qualified (schema.table)',
  );

/** One column or a list of them; always a list once parsed. */
const Columns = z
  .union([Column, z.array(Column).min(1, 'name at least one column')])
  .transform((value) => (Array.isArray(value) ? value : [value]));

/** One SELECT; the parser check runs on it for the connector's dialect (see the schema's refinement). */
const Query = z.string().min(1, 'must not be empty');

const ChildSchema = z.strictObject({
  /** Where the child rows come from: a table, or one SELECT. */
  table: Table.optional(),
  query: Query.optional(),
  /** Child column → parent column: the child rows of a record are those whose columns equal the record's. */
  match: z
    .record(Column, Column)
    .refine((match) => Object.keys(match).length > 0, 'name at least one child column → parent column'),
  /** Order of the child rows within their record; default the match columns. */
  orderBy: Columns.optional(),
});

const EntitySchema = z.strictObject({
  /** Read this table (or view)… */
  table: Table.optional(),
  /** …or the rows of this one SELECT. */
  query: Query.optional(),
  /** The column(s) that identify a row; keyset pagination orders by them. */
  key: Columns,
  /** Column whose value is the record's version (its change timestamp); absent: null. */
  version: Column.optional(),
  /**
   * The last-changed column: incremental reads (`changedSince`) read rows where it is greater than
   * the watermark, and pages report the highest value read. A date/time or text column whose text
   * sorts as its values do.
   */
  changedColumn: Column.optional(),
  /** ReadQuery.filter keys → columns compared for equality (values are bound). Only these keys are accepted. */
  filterColumns: z.record(z.string().min(1), Column).default({}),
  /** Lists nested in each record (e.g. order lines), read with one query per page of records. */
  children: z.record(z.string().min(1), ChildSchema).default({}),
});

const ConnectionSchema = z.strictObject({
  /** `postgres://user@host:5432/db`, `mysql://…`, `mariadb://…`, `mssql://…`, `oracle://host:1521/service`. */
  url: z.string().min(1).optional(),
  /** SQLite: the database file (opened read-only; it must exist). Relative to the config file's folder. */
  file: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  port: z.int().min(1).max(65_535).optional(),
  user: z.string().min(1).optional(),
  /** Usually `${ENV}`; never printed. */
  password: z.string().optional(),
  /** The database (PostgreSQL, MySQL, SQL Server) or service name (Oracle). */
  database: z.string().min(1).optional(),
  /** PostgreSQL: the search_path; Oracle: CURRENT_SCHEMA. Unqualified tables are looked up there. */
  schema: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_$]*$/, 'a schema name: letters, digits, _ or $')
    .optional(),
  /** Encrypt the connection (TLS). Default false. */
  ssl: z.boolean().default(false),
});

const URL_PROTOCOLS: Record<Exclude<SqlDialect, 'sqlite'>, readonly string[]> = {
  postgres: ['postgres:', 'postgresql:'],
  mysql: ['mysql:'],
  mariadb: ['mariadb:', 'mysql:'],
  mssql: ['mssql:', 'sqlserver:'],
  oracle: ['oracle:'],
};

/** The schema of a `sql` connector's configuration. */
export const SqlConfigSchema = z
  .strictObject({
    kind: z.literal('sql'),
    dialect: z.enum(SQL_DIALECTS),
    connection: ConnectionSchema,
    /** Rows per page (one query each, keyset-paginated); a read's `pageSize` wins. Default 500. */
    pageSize: z.int().min(1).max(50_000).default(500),
    /** Bound on each statement, set in the database session where it can be, and on connecting. Default 30000. */
    timeoutMs: z.int().min(100).max(3_600_000).default(30_000),
    /** Connections in the pool. Default 4. */
    poolSize: z.int().min(1).max(64).default(4),
    /** Vendor entity name → where its rows come from. At least one. */
    entities: z
      .record(z.string().min(1), EntitySchema)
      .refine((entities) => Object.keys(entities).length > 0, 'declare at least one entity'),
  })
  .superRefine((config, context) => {
    const issue = (path: PropertyKey[], message: string) =>
      context.addIssue({ code: 'custom', path, message });
    connectionProblems(config.dialect, config.connection, (path, message) =>
      issue(['connection', ...path], message),
    );
    for (const [name, entity] of Object.entries(config.entities)) {
      sourceProblems(config.dialect, entity, (path, message) => issue(['entities', name, ...path], message));
      for (const [field, child] of Object.entries(entity.children)) {
        sourceProblems(config.dialect, child, (path, message) =>
          issue(['entities', name, 'children', field, ...path], message),
        );
      }
    }
  });

/** A validated `sql` connector configuration, defaults filled in. */
export type SqlConfig = z.infer<typeof SqlConfigSchema>;
/** One entity of a validated configuration. */
export type SqlEntity = SqlConfig['entities'][string];
/** One child list of an entity. */
export type SqlChild = SqlEntity['children'][string];
/** The connection options as written. */
export type SqlConnectionOptions = SqlConfig['connection'];

type Report = (path: PropertyKey[], message: string) => void;

/** Exactly one of table and query; a query must pass the parser check. */
function sourceProblems(
  dialect: SqlDialect,
  source: { table?: string | undefined; query?: string | undefined },
  report: Report,
): void {
  if ((source.table === undefined) === (source.query === undefined)) {
    report([], 'give either table or query (exactly one)');
    return;
  }
  if (source.query === undefined) return;
  const verdict = checkReadOnlySelect(source.query, dialect);
  if (!verdict.ok) report(['query'], `refused: ${verdict.reason}`);
}

function connectionProblems(dialect: SqlDialect, connection: SqlConnectionOptions, report: Report): void {
  if (dialect === 'sqlite') {
    if (connection.file === undefined) report(['file'], 'SQLite needs the database file');
    for (const option of ['url', 'host', 'port', 'user', 'password', 'database', 'schema'] as const) {
      if (connection[option] !== undefined) report([option], `${option} does not apply to SQLite; give file`);
    }
    return;
  }
  if (connection.file !== undefined) report(['file'], `file applies to SQLite only; give url or host`);
  if (connection.schema !== undefined && dialect !== 'postgres' && dialect !== 'oracle') {
    report(
      ['schema'],
      dialect === 'mssql'
        ? 'schema does not apply to SQL Server; qualify the tables (dbo.POHEADER)'
        : 'schema does not apply to MySQL/MariaDB; give database',
    );
  }
  if (connection.url !== undefined) {
    for (const option of ['host', 'port', 'database'] as const) {
      if (connection[option] !== undefined) report([option], `give either url or ${option}, not both`);
    }
    const problem = urlProblem(connection.url, URL_PROTOCOLS[dialect]);
    if (problem !== undefined) report(['url'], problem);
    return;
  }
  if (connection.host === undefined) report(['host'], 'give url, or host with user and database');
  if (connection.user === undefined) report(['user'], 'give the (read-only) database user');
  if (connection.database === undefined) {
    report(['database'], dialect === 'oracle' ? 'give the service name' : 'give the database');
  }
}

function urlProblem(url: string, protocols: readonly string[]): string | undefined {
  if (!URL.canParse(url)) return `not a URL; expected ${protocols[0]}//user@host:port/database`;
  const parsed = new URL(url);
  if (!protocols.includes(parsed.protocol)) return `expected a ${protocols.join(' or ')} URL`;
  if (parsed.hostname === '') return 'the URL names no host';
  if (parsed.pathname.replace(/^\//, '') === '') return 'the URL names no database';
  if (parsed.search !== '' || parsed.hash !== '')
    return 'put options in the connection settings, not the URL';
  return undefined;
}

/** Where and as whom to connect, whichever way the configuration said it. */
export interface ResolvedConnection {
  dialect: SqlDialect;
  file: string | undefined;
  host: string;
  port: number | null;
  user: string | undefined;
  password: string | undefined;
  database: string | undefined;
  schema: string | undefined;
  ssl: boolean;
}

/** The connection settings with the URL taken apart; call on a validated configuration. */
export function resolveConnection(dialect: SqlDialect, connection: SqlConnectionOptions): ResolvedConnection {
  const defaultPort = DIALECT_TRAITS[dialect].defaultPort;
  if (connection.url === undefined) {
    return {
      dialect,
      file: connection.file,
      host: connection.host ?? '',
      port: connection.port ?? defaultPort,
      user: connection.user,
      password: connection.password,
      database: connection.database,
      schema: connection.schema,
      ssl: connection.ssl,
    };
  }
  const url = new URL(connection.url);
  return {
    dialect,
    file: undefined,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? defaultPort : Number(url.port),
    user: url.username === '' ? connection.user : decodeURIComponent(url.username),
    password: url.password === '' ? connection.password : decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    schema: connection.schema,
    ssl: connection.ssl,
  };
}

/**
 * The connection as a person may read it in a message: `postgres://erp_ro@db:5432/erp`, never the
 * password.
 */
export function describeConnection(connection: ResolvedConnection): string {
  if (connection.dialect === 'sqlite') return `sqlite:${connection.file ?? ''}`;
  const user = connection.user === undefined ? '' : `${encodeURIComponent(connection.user)}@`;
  const port = connection.port === null ? '' : `:${connection.port}`;
  return `${connection.dialect}://${user}${connection.host}${port}/${connection.database ?? ''}`;
}
