import { type Kysely, Migrator, sql } from 'kysely';
import { ErpError } from '../../errors/index.ts';
import { STORE_MIGRATIONS, storeMigrationProvider } from '../migrations/index.ts';
import type { StoreDatabase } from '../schema.ts';
import { lockForTransaction } from './advisory-lock.ts';

/** Kysely's bookkeeping table: one row per migration that has run. */
const MIGRATION_TABLE = 'kysely_migration';

/**
 * Brings a PostgreSQL store's schema to the newest version, safely when several processes start at
 * once. Runs the same migrations as SQLite (`../migrations`), in one transaction on one connection
 * that first takes the schema's `migrate` advisory lock: a second process waits, then finds the
 * work done. PostgreSQL's DDL is transactional, so a failed migration leaves the schema as it was.
 * The schema itself is created if missing. An up-to-date store returns without taking the lock.
 */
export async function migratePostgres(
  db: Kysely<StoreDatabase>,
  schema: string,
  target: string,
): Promise<void> {
  if ((await pendingMigrations(db, schema, target)).length === 0) return;
  await db.connection().execute(async (connection) => {
    await sql`begin`.execute(connection);
    try {
      await lockForTransaction(connection, 'migrate', schema);
      await sql`create schema if not exists ${sql.id(schema)}`.execute(connection);
      // Checked again under the lock: another process may have migrated meanwhile, perhaps a newer one.
      await pendingMigrations(connection, schema, target);
      // disableTransactions: ours is the transaction (Kysely's own lock then joins it).
      const migrator = new Migrator({
        db: connection,
        provider: storeMigrationProvider,
        disableTransactions: true,
        migrationTableSchema: schema,
      });
      const { error, results } = await migrator.migrateToLatest();
      if (error !== undefined) {
        const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'setup';
        throw new ErpError('permanent', `migration ${failed} of the PostgreSQL store at ${target} failed`, {
          cause: error,
          url: target,
          hint: 'The store was left at its previous schema; fix the cause and start again.',
        });
      }
      await sql`commit`.execute(connection);
    } catch (error) {
      await rollback(connection);
      throw error;
    }
  });
}

/**
 * Rolls back after a failure. If the rollback fails too, the connection is gone, and the server
 * has rolled the transaction back on its own: the first error is the one worth reporting.
 */
async function rollback(connection: Kysely<StoreDatabase>): Promise<void> {
  try {
    await sql`rollback`.execute(connection);
  } catch {
    // See above: the caller rethrows the error that made us roll back.
  }
}

/** Names of known migrations not yet run; throws if the schema was migrated by a newer erpbridge. */
async function pendingMigrations(
  db: Kysely<StoreDatabase>,
  schema: string,
  target: string,
): Promise<string[]> {
  const known = Object.keys(STORE_MIGRATIONS);
  const table = `${schema}.${MIGRATION_TABLE}`;
  const { rows } = await sql<{
    exists: string | null;
  }>`select to_regclass(${table})::text as "exists"`.execute(db);
  if (rows[0]?.exists == null) return known;
  const executed = await sql<{ name: string }>`select "name" from ${sql.id(schema, MIGRATION_TABLE)}`.execute(
    db,
  );
  const names = executed.rows.map((row) => row.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new ErpError(
      'permanent',
      `the PostgreSQL store at ${target} has schema migrations this erpbridge does not know: ${unknown.join(', ')}`,
      { url: target, hint: 'Upgrade erpbridge to the version that last migrated this store.' },
    );
  }
  return known.filter((name) => !names.includes(name));
}
