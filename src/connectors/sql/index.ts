/**
 * The `sql` connector: read-only access to an ERP's database tables. See `sql-connector.ts`.
 */
export {
  readDate,
  readDecimal,
  readScaled,
  readText,
  readTimestamp,
} from './column-values.ts';
export { checkReadOnlySelect, type ReadOnlyVerdict } from './read-only-check.ts';
export type { ColumnValue, SqlRow } from './row-values.ts';
export { type SqlConfig, SqlConfigSchema, type SqlEntity } from './sql-config.ts';
export { sqlCapabilities, sqlConnector } from './sql-connector.ts';
export { isSqlDialect, quoteIdentifier, SQL_DIALECTS, type SqlDialect } from './sql-dialect.ts';
