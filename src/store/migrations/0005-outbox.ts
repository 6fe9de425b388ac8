import type { Kysely } from 'kysely';

/**
 * The distributed runner's tables. `outbox`: jobs for workers, written in the same transaction as
 * the state they act on and published to the queue by a relay (`sent_at` is set once published).
 * `apply_claims`: which apply job holds each change; the primary key makes the first claim win, so
 * two jobs carrying the same change (an approval's job and a later `apply`) never both apply it.
 * Portable column types only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('format_version', 'integer', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('payload', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  // The relay reads unsent rows oldest first.
  await db.schema
    .createIndex('outbox_unsent')
    .on('outbox')
    .columns(['sent_at', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('apply_claims')
    .addColumn('change_id', 'text', (column) => column.primaryKey())
    .addColumn('job_id', 'text', (column) => column.notNull())
    .addColumn('claimed_at', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('apply_claims').execute();
  await db.schema.dropTable('outbox').execute();
}
