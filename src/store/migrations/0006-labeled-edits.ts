import type { Kysely } from 'kysely';

/**
 * Labeled edits: a person's correction of an AI value before approving, kept as labeled data for
 * evaluation and retraining (`erpbridge labels export`). One row per edited field of a change; the
 * item (run id + record id) holds what went to the AI. Portable column types only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('labeled_edits')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('format_version', 'integer', (column) => column.notNull())
    .addColumn('workflow', 'text', (column) => column.notNull())
    .addColumn('entity', 'text', (column) => column.notNull())
    .addColumn('record_id', 'text', (column) => column.notNull())
    .addColumn('run_id', 'text', (column) => column.notNull().references('runs.id'))
    .addColumn('change_id', 'text', (column) => column.notNull())
    .addColumn('field', 'text', (column) => column.notNull())
    .addColumn('ai_value', 'text', (column) => column.notNull())
    .addColumn('ai_confidence', 'double precision', (column) => column.notNull())
    .addColumn('human_value', 'text', (column) => column.notNull())
    .addColumn('edited_by', 'text', (column) => column.notNull())
    .addColumn('edited_at', 'text', (column) => column.notNull())
    .execute();
  // `listLabeledEdits` of one workflow pages by id.
  await db.schema
    .createIndex('labeled_edits_workflow_id')
    .on('labeled_edits')
    .columns(['workflow', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('labeled_edits').execute();
}
