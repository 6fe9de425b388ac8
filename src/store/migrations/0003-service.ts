import type { Kysely } from 'kysely';

/**
 * What the HTTP service needs: who started a run, lineage on items (the record as read and what
 * went to the AI), approvals and write outcomes on changes, and the access tables — API tokens,
 * console users and sessions (secrets stored only as hashes) — and the webhook deliveries seen, so
 * a retried delivery runs once. New columns are nullable or defaulted: rows written before read as
 * they were, so the row format stays 1.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('requested_by', 'text').execute();
  await db.schema.alterTable('items').addColumn('record', 'text').execute();
  await db.schema.alterTable('items').addColumn('ai_input', 'text').execute();
  await db.schema.alterTable('changes').addColumn('amount', 'double precision').execute();
  await db.schema.alterTable('changes').addColumn('currency', 'text').execute();
  await db.schema.alterTable('changes').addColumn('requested_by', 'text').execute();
  await db.schema
    .alterTable('changes')
    .addColumn('approvals', 'text', (column) => column.notNull().defaultTo('[]'))
    .execute();
  await db.schema.alterTable('changes').addColumn('outcome', 'text').execute();
  // The approvals inbox: pending changes of every run, oldest first.
  await db.schema
    .createIndex('changes_state_created_at')
    .on('changes')
    .columns(['state', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('runs_state').on('runs').columns(['state']).execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('role', 'text', (column) => column.notNull())
    .addColumn('token_hash', 'text', (column) => column.notNull().unique())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema
    .createTable('users')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('role', 'text', (column) => column.notNull())
    .addColumn('password_hash', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (column) => column.primaryKey())
    .addColumn('user_name', 'text', (column) => column.notNull().references('users.name'))
    .addColumn('csrf_token', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('expires_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('workflow', 'text', (column) => column.notNull())
    .addColumn('idempotency_key', 'text', (column) => column.notNull())
    .addColumn('run_id', 'text')
    .addColumn('received_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('webhook_deliveries_pk', ['workflow', 'idempotency_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['webhook_deliveries', 'sessions', 'users', 'api_tokens']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropIndex('runs_state').execute();
  await db.schema.dropIndex('changes_state_created_at').execute();
  for (const column of ['outcome', 'approvals', 'requested_by', 'currency', 'amount']) {
    await db.schema.alterTable('changes').dropColumn(column).execute();
  }
  for (const column of ['ai_input', 'record'])
    await db.schema.alterTable('items').dropColumn(column).execute();
  await db.schema.alterTable('runs').dropColumn('requested_by').execute();
}
