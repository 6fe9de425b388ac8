import type { Kysely } from 'kysely';
import type { RunState, RunStats } from '../engine/run.ts';
import type { Watermark } from './contract.ts';
import { ROW_FORMAT_VERSION } from './rows.ts';
import type {
  DeadLettersTable,
  IdempotencyLedgerTable,
  ModelsTable,
  StoreDatabase,
  UsersTable,
} from './schema.ts';

/**
 * The writes every store builds the same way: Kysely builds each dialect's SQL from one
 * definition, and each store runs it its own way — SQLite compiles and runs it synchronously inside
 * its `BEGIN IMMEDIATE` transaction, PostgreSQL executes it (adding `returning` where it counts
 * rows that way). What differs per dialect stays in each store: bulk inserts, locks, the `IN` list
 * of many values, per-row versus one-statement updates.
 */

/**
 * Updates a run's state, stats or error (whichever is given) and its `updated_at`; with `ifState`,
 * only while the run is in one of those states (a compare-and-set). `ifState` must not be empty:
 * no state matches, so the caller answers `false` without asking.
 */
export function updateRun(
  db: Kysely<StoreDatabase>,
  id: string,
  patch: { state?: RunState; stats?: RunStats; error?: string | null },
  ifState: readonly RunState[] | undefined,
) {
  const { state, stats, error } = patch;
  const update = db
    .updateTable('runs')
    .set({
      updated_at: new Date().toISOString(),
      ...(state === undefined ? {} : { state }),
      ...(stats === undefined ? {} : { stats: JSON.stringify(stats) }),
      ...(error === undefined ? {} : { error }),
    })
    .where('id', '=', id);
  return ifState === undefined ? update : update.where('state', 'in', [...ifState]);
}

/** The run's id if the run exists: tells "not in that state" from "no such run" after an update changed nothing. */
export function runId(db: Kysely<StoreDatabase>, id: string) {
  return db.selectFrom('runs').select('id').where('id', '=', id);
}

/** Ledger rows claiming `entries` for their changes, in flight since `now`, in the order given. */
export function ledgerClaimRows(
  entries: readonly { key: string; changeId: string }[],
  now: string,
): IdempotencyLedgerTable[] {
  return entries.map(({ key, changeId }) => ({
    idempotency_key: key,
    format_version: ROW_FORMAT_VERSION,
    change_id: changeId,
    state: 'in_flight',
    updated_at: now,
  }));
}

/** The last entry of the audit chain (none when the log is empty). */
export function auditTail(db: Kysely<StoreDatabase>) {
  return db.selectFrom('audit_entries').selectAll().orderBy('seq', 'desc').limit(1);
}

/**
 * Inserts dead letters; a record and stage that failed before takes the newer failure and counts as
 * not replayed again. A row's own values win over the stored ones (`excluded`), so PostgreSQL can
 * upsert a whole list in one statement (with no id twice) and SQLite row by row.
 */
export function upsertDeadLetters(db: Kysely<StoreDatabase>, rows: DeadLettersTable[]) {
  return db
    .insertInto('dead_letters')
    .values(rows)
    .onConflict((conflict) =>
      conflict.column('id').doUpdateSet((eb) => ({
        error_kind: eb.ref('excluded.error_kind'),
        message: eb.ref('excluded.message'),
        attempts: eb.ref('excluded.attempts'),
        last_exchange: eb.ref('excluded.last_exchange'),
        created_at: eb.ref('excluded.created_at'),
        vendor_key: eb.ref('excluded.vendor_key'),
        replayed_by: null,
      })),
    );
}

/** Revokes a token not revoked yet; a token revoked before keeps its first revocation time. */
export function revokeApiToken(db: Kysely<StoreDatabase>, id: string, now: string) {
  return db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null);
}

/** Adds a user, or replaces the role and password of one with that name (keeping its creation time). */
export function putUser(db: Kysely<StoreDatabase>, row: UsersTable) {
  return db
    .insertInto('users')
    .values(row)
    .onConflict((conflict) =>
      conflict
        .column('name')
        .doUpdateSet({ role: row.role, password_hash: row.password_hash, updated_at: row.updated_at }),
    );
}

/** Deletes a session, and with it every session that has expired by `now`. */
export function deleteSession(db: Kysely<StoreDatabase>, idHash: string, now: string) {
  return db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('id_hash', '=', idHash), eb('expires_at', '<=', now)]));
}

/** Deletes every session expired by `now` (those `getSession` refuses at `now`). */
export function deleteExpiredSessions(db: Kysely<StoreDatabase>, now: string) {
  return db.deleteFrom('sessions').where('expires_at', '<=', now);
}

/** Records a webhook delivery not seen before; one seen before is left as it is. */
export function insertWebhookDelivery(
  db: Kysely<StoreDatabase>,
  workflow: string,
  key: string,
  receivedAt: string,
) {
  return db
    .insertInto('webhook_deliveries')
    .values({ workflow, idempotency_key: key, run_id: null, received_at: receivedAt })
    .onConflict((conflict) => conflict.columns(['workflow', 'idempotency_key']).doNothing());
}

/** The run a webhook delivery started (null until it has one). */
export function webhookDeliveryRun(db: Kysely<StoreDatabase>, workflow: string, key: string) {
  return db
    .selectFrom('webhook_deliveries')
    .select('run_id')
    .where('workflow', '=', workflow)
    .where('idempotency_key', '=', key);
}

export function setWebhookDeliveryRun(
  db: Kysely<StoreDatabase>,
  workflow: string,
  key: string,
  runId: string,
) {
  return db
    .updateTable('webhook_deliveries')
    .set({ run_id: runId })
    .where('workflow', '=', workflow)
    .where('idempotency_key', '=', key);
}

/** Sets a workflow's watermark for a connector, replacing the one it had. */
export function setWatermark(db: Kysely<StoreDatabase>, watermark: Watermark) {
  const row = {
    workflow: watermark.workflow,
    connector: watermark.connector,
    value: watermark.value,
    run_id: watermark.runId,
    updated_at: watermark.updatedAt,
  };
  return db
    .insertInto('watermarks')
    .values(row)
    .onConflict((conflict) =>
      conflict
        .columns(['workflow', 'connector'])
        .doUpdateSet({ value: row.value, run_id: row.run_id, updated_at: row.updated_at }),
    );
}

/** Saves a model; saving a name and version again replaces its body and metrics. */
export function saveModel(db: Kysely<StoreDatabase>, row: ModelsTable) {
  return db
    .insertInto('models')
    .values(row)
    .onConflict((conflict) =>
      conflict.columns(['name', 'version']).doUpdateSet({
        format_version: row.format_version,
        created_at: row.created_at,
        metrics: row.metrics,
        body: row.body,
      }),
    );
}
