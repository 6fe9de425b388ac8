import { type Capabilities, defineConnector } from '../contract.ts';
import { SqlConfigSchema } from './sql-config.ts';
import { connectSql } from './sql-connection.ts';

/** What a `sql` connection can do: read, get and incremental reads; never write. */
export const sqlCapabilities: Capabilities = {
  read: true,
  get: true,
  write: false,
  concurrency: 'none',
  incremental: true,
};

/**
 * The `sql` connector: reads an ERP's tables (SQLite, PostgreSQL, MySQL/MariaDB, SQL Server,
 * Oracle) through one read-only code path — keyset-paginated pages, incremental reads from a
 * last-changed column, records by key — and refuses to write. Every configured query is checked
 * to be one SELECT when the configuration loads, every statement again before it is sent, and the
 * database session itself is read-only (docs/erp/database-access.md has the grants to ask for).
 */
export const sqlConnector = defineConnector({
  kind: 'sql',
  configSchema: SqlConfigSchema,
  capabilities: sqlCapabilities,
  connect: (config, context) => connectSql(config, context),
});
