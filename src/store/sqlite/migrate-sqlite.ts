import { realpathSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { type Kysely, Migrator } from 'kysely';
import { ErpError } from '../../errors/index.ts';
import { STORE_MIGRATIONS, storeMigrationProvider } from '../migrations/index.ts';
import type { StoreDatabase } from '../schema.ts';

/** Kysely's bookkeeping table: one row per migration that has run. */
const MIGRATION_TABLE = 'kysely_migration';

/**
 * Brings a SQLite store to the newest schema, safely when several processes start at once.
 *
 * Kysely's SQLite adapter takes no lock (it assumes one connection), so the whole migration runs
 * inside one `BEGIN IMMEDIATE` transaction on the file: a second process waits for the write lock
 * (busy timeout), then finds the work done. SQLite's DDL is transactional, so a failed migration
 * leaves the schema as it was. An up-to-date store returns without taking the lock.
 *
 * Only `migrate` holds SQLite's write lock across an `await`; every other write is synchronous.
 */
export async function migrateSqlite(
  db: Kysely<StoreDatabase>,
  raw: Database.Database,
  path: string,
): Promise<void> {
  // Within one process, migrations of a file take turns: a second connection waiting for the lock
  // busy-waits synchronously and would block the very thread the first one needs to finish.
  const migrate = () => migrateLocked(db, raw, path);
  if (path === ':memory:') return migrate();
  const file = realpathSync(path);
  const previous = migrationsInProgress.get(file);
  const current = previous === undefined ? migrate() : previous.then(migrate, migrate);
  migrationsInProgress.set(file, current);
  try {
    await current;
  } finally {
    if (migrationsInProgress.get(file) === current) migrationsInProgress.delete(file);
  }
}

/** Migrations running in this process, by real file path. */
const migrationsInProgress = new Map<string, Promise<void>>();

async function migrateLocked(db: Kysely<StoreDatabase>, raw: Database.Database, path: string): Promise<void> {
  if (pendingMigrations(raw, path).length === 0) return;
  raw.exec('begin immediate');
  try {
    // disableTransactions: our transaction is the one; a nested `begin` would fail.
    const migrator = new Migrator({ db, provider: storeMigrationProvider, disableTransactions: true });
    const { error, results } = await migrator.migrateToLatest();
    if (error !== undefined) {
      const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'setup';
      throw new ErpError('permanent', `migration ${failed} of the SQLite store at ${path} failed`, {
        cause: error,
        file: path,
        hint: 'The store was left at its previous schema; fix the cause and start again.',
      });
    }
    raw.exec('commit');
  } finally {
    if (raw.inTransaction) raw.exec('rollback');
  }
}

/** Names of known migrations not yet run; throws if the file was migrated by a newer erpbridge. */
function pendingMigrations(raw: Database.Database, path: string): string[] {
  const known = Object.keys(STORE_MIGRATIONS);
  const tableExists = raw
    .prepare("select 1 from sqlite_master where type = 'table' and name = ?")
    .pluck()
    .get(MIGRATION_TABLE);
  if (tableExists === undefined) return known;
  const executed = raw.prepare(`select name from ${MIGRATION_TABLE}`).pluck().all();
  const unknown = executed.filter((name) => typeof name !== 'string' || !known.includes(name));
  if (unknown.length > 0) {
    throw new ErpError(
      'permanent',
      `the SQLite store at ${path} has schema migrations this erpbridge does not know: ${unknown.join(', ')}`,
      { file: path, hint: 'Upgrade erpbridge to the version that last migrated this store.' },
    );
  }
  return known.filter((name) => !executed.includes(name));
}
