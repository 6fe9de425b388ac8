import type { Kysely } from 'kysely';

/**
 * Dead letters: records that failed for good (unreadable, or a write that failed past its
 * retries), with enough to understand and replay them. Portable column types only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('dead_letters')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('format_version', 'integer', (column) => column.notNull())
    .addColumn('run_id', 'text', (column) => column.notNull().references('runs.id'))
    .addColumn('record_id', 'text', (column) => column.notNull())
    .addColumn('vendor_key', 'text')
    .addColumn('stage', 'text', (column) => column.notNull())
    .addColumn('error_kind', 'text', (column) => column.notNull())
    .addColumn('message', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .addColumn('last_exchange', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('replayed_by', 'text')
    .execute();
  await db.schema.createIndex('dead_letters_run').on('dead_letters').columns(['run_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('dead_letters').execute();
}
