/**
 * The databases the `sql` connector reads, and what differs between them: how the parser check
 * reads their SQL, how identifiers are quoted, how a page is limited, and how a read-only
 * transaction begins. One table, so adding a database is one entry and the compiler says where.
 */

/** The `dialect:` values of a `sql` connector. */
export const SQL_DIALECTS = ['sqlite', 'postgres', 'mysql', 'mariadb', 'mssql', 'oracle'] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

/** node-sql-parser's grammar names. */
export type SqlGrammar = 'sqlite' | 'postgresql' | 'mysql' | 'mariadb' | 'transactsql' | 'db2';

/** What the lexer, the parser check and the query builder need to know about one dialect. */
export interface DialectTraits {
  /** The grammar the parser check reads this dialect's SQL with. */
  grammar: SqlGrammar;
  /** How the compiled SQL marks a bound value: `?`, `$1`, `@1` or `:1`. */
  placeholder: 'question' | 'dollar' | 'at' | 'colon';
  /** Quotes that delimit identifiers besides `"` (which every dialect here accepts, MySQL under ANSI_QUOTES). */
  identifierQuotes: readonly ('`' | '[')[];
  /**
   * Whether a backslash inside a string literal may escape the next character (MySQL by default,
   * PostgreSQL with standard_conforming_strings off): the check then refuses backslashes in
   * strings, because the server's setting decides where such a string ends.
   */
  ambiguousBackslash: boolean;
  /** How a page is limited: `limit n`, `top(n)` or `fetch first n rows only`. */
  limit: 'limit' | 'top' | 'fetch';
  /** The default TCP port; none for a file database. */
  defaultPort: number | null;
  /** Most values one statement may bind; lookups of many keys are split below it. */
  maxParameters: number;
  /** Most items in one IN list (Oracle refuses more than 1000). */
  maxInList: number;
}

/** Every dialect's traits; `satisfies` keeps the table complete. */
export const DIALECT_TRAITS = {
  sqlite: {
    grammar: 'sqlite',
    placeholder: 'question',
    identifierQuotes: ['`', '['],
    ambiguousBackslash: false,
    limit: 'limit',
    defaultPort: null,
    maxParameters: 32_000,
    maxInList: 5_000,
  },
  postgres: {
    grammar: 'postgresql',
    placeholder: 'dollar',
    identifierQuotes: [],
    ambiguousBackslash: true,
    limit: 'limit',
    defaultPort: 5432,
    maxParameters: 65_000,
    maxInList: 5_000,
  },
  mysql: {
    grammar: 'mysql',
    placeholder: 'question',
    identifierQuotes: ['`'],
    ambiguousBackslash: true,
    limit: 'limit',
    defaultPort: 3306,
    maxParameters: 65_000,
    maxInList: 5_000,
  },
  mariadb: {
    grammar: 'mariadb',
    placeholder: 'question',
    identifierQuotes: ['`'],
    ambiguousBackslash: true,
    limit: 'limit',
    defaultPort: 3306,
    maxParameters: 65_000,
    maxInList: 5_000,
  },
  mssql: {
    grammar: 'transactsql',
    placeholder: 'at',
    identifierQuotes: ['['],
    ambiguousBackslash: false,
    limit: 'top',
    defaultPort: 1433,
    maxParameters: 2_000,
    maxInList: 1_000,
  },
  oracle: {
    // node-sql-parser has no Oracle grammar; DB2's reads Oracle's FETCH FIRST and its functions.
    grammar: 'db2',
    placeholder: 'colon',
    identifierQuotes: [],
    ambiguousBackslash: false,
    limit: 'fetch',
    defaultPort: 1521,
    maxParameters: 30_000,
    maxInList: 1_000,
  },
} as const satisfies Record<SqlDialect, DialectTraits>;

/** True when `value` names a supported dialect. */
export function isSqlDialect(value: string): value is SqlDialect {
  return (SQL_DIALECTS as readonly string[]).includes(value);
}

/**
 * `name` quoted as an identifier of `dialect` (`"EKKO"`, `` `EKKO` ``), for writing configured
 * queries: PostgreSQL folds unquoted names to lower case, so upper-case ERP tables need quotes.
 */
export function quoteIdentifier(dialect: SqlDialect, name: string): string {
  if (dialect === 'mysql' || dialect === 'mariadb') return `\`${name.replaceAll('`', '``')}\``;
  return `"${name.replaceAll('"', '""')}"`;
}
