import type { Kysely } from 'kysely';

/**
 * Incremental extraction: per workflow and connector, the highest last-changed value a completed
 * run has read. The next run reads only what changed after it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('watermarks')
    .addColumn('workflow', 'text', (column) => column.notNull())
    .addColumn('connector', 'text', (column) => column.notNull())
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('watermarks_pk', ['workflow', 'connector'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('watermarks').execute();
}
