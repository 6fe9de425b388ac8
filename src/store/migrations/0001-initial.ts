import type { Kysely } from 'kysely';

/**
 * The first schema: runs, items, changes, the idempotency ledger, the audit log and trained models.
 * Written with Kysely's schema builder and portable column types only (`text`, `integer`,
 * `double precision`), so the PostgreSQL store runs the same migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('format_version', 'integer', (column) => column.notNull())
    .addColumn('workflow', 'text', (column) => column.notNull())
    .addColumn('policy', 'text', (column) => column.notNull())
    .addColumn('dry_run', 'integer', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('params', 'text', (column) => column.notNull())
    .addColumn('stats', 'text', (column) => column.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  // `listRuns` is newest first, optionally for one workflow.
  await db.schema.createIndex('runs_created_at').on('runs').columns(['created_at', 'id']).execute();
  await db.schema
    .createIndex('runs_workflow_created_at')
    .on('runs')
    .columns(['workflow', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('items')
    .addColumn('run_id', 'text', (column) => column.notNull().references('runs.id'))
    .addColumn('record_id', 'text', (column) => column.notNull())
    .addColumn('format_version', 'integer', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('label', 'text')
    .addColumn('confidence', 'double precision')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('items_pk', ['run_id', 'record_id'])
    .execute();

  await db.schema
    .createTable('changes')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('format_version', 'integer', (column) => column.notNull())
    .addColumn('run_id', 'text', (column) => column.notNull().references('runs.id'))
    .addColumn('entity', 'text', (column) => column.notNull())
    .addColumn('record_id', 'text', (column) => column.notNull())
    .addColumn('before', 'text', (column) => column.notNull())
    .addColumn('after', 'text', (column) => column.notNull())
    .addColumn('version', 'text')
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('confidence', 'double precision', (column) => column.notNull())
    .addColumn('explanation', 'text', (column) => column.notNull())
    .addColumn('idempotency_key', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('revert_of', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('changes_run_id_state').on('changes').columns(['run_id', 'state']).execute();
  // Pages through one run's plan in id order (`listChanges` with `afterId`).
  await db.schema.createIndex('changes_run_id_id').on('changes').columns(['run_id', 'id']).execute();
  await db.schema
    .createIndex('changes_idempotency_key')
    .on('changes')
    .column('idempotency_key')
    .unique()
    .execute();

  await db.schema
    .createTable('idempotency_ledger')
    .addColumn('idempotency_key', 'text', (column) => column.primaryKey())
    .addColumn('format_version', 'integer', (column) => column.notNull())
    .addColumn('change_id', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();

  // No foreign key to runs: the audit log outlives anything it talks about.
  await db.schema
    .createTable('audit_entries')
    .addColumn('seq', 'integer', (column) => column.primaryKey())
    .addColumn('format_version', 'integer', (column) => column.notNull())
    .addColumn('at', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('run_id', 'text')
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('payload', 'text', (column) => column.notNull())
    .addColumn('prev_hash', 'text', (column) => column.notNull())
    .addColumn('hash', 'text', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('models')
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('version', 'text', (column) => column.notNull())
    .addColumn('format_version', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('metrics', 'text', (column) => column.notNull())
    .addColumn('body', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('models_pk', ['name', 'version'])
    .execute();
  await db.schema
    .createIndex('models_name_created_at')
    .on('models')
    .columns(['name', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['models', 'audit_entries', 'idempotency_ledger', 'changes', 'items', 'runs']) {
    await db.schema.dropTable(table).execute();
  }
}
